"""The ``raf`` command line. Each command lives in its own module and is added here."""

from .app import main, raf
from .check import check
from .compile import compile_cmd
from .diff import diff_cmd
from .explain import explain
from .report import report
from .run import run
from .show import show

for _command in (check, compile_cmd, show, run, diff_cmd, report, explain):
    raf.add_command(_command)

__all__ = ["main", "raf"]
