"""``python -m radical.asyncflow.cli``."""

import sys

from . import main

sys.exit(main())
