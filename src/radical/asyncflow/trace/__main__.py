"""``python -m radical.asyncflow.trace PATH`` (used by ``raf compile --trace``)."""

import os
import sys

from .worker import main

code = main(sys.argv[1:])
sys.stderr.flush()
os._exit(code)
