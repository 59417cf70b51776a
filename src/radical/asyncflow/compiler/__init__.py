"""The static compiler: workflow module -> IR + diagnostics, without running it."""

from .api import InternalError, Options, check_paths, compile_path
from .loader import Limits
from .rules import RULES, Rule

__all__ = ["RULES", "InternalError", "Limits", "Options", "Rule", "check_paths", "compile_path"]
