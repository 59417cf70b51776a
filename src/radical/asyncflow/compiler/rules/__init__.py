"""The diagnostic rules: one module per code, its docstring is ``raf explain``.

Each rule module defines ``CODE``, ``NAME``, ``SEVERITY``, ``MESSAGE`` (a
``str.format`` template), ``HINT`` and ``BLOCKER`` (a blocker stops the
pipeline: nothing after loading can be checked).
"""

from __future__ import annotations

import dataclasses
import inspect
from types import ModuleType

from . import (
    raf101_syntax_error,
    raf102_cannot_decode,
    raf103_too_large,
    raf104_not_a_file,
    raf105_trace_failed,
    raf201_no_workflow,
    raf202_bad_decorator,
    raf203_duplicate_task,
    raf204_executable_not_string,
    raf205_unused_task,
    raf206_bad_call,
    raf207_unknown_engine,
    raf301_block_cycle,
    raf302_undefined_name,
    raf303_use_before_definition,
    raf304_task_after_shutdown,
    raf305_blocking_result,
    raf401_dynamic_loop,
    raf402_while_loop,
    raf403_dynamic_condition,
    raf404_dynamic_dispatch,
    raf405_unroll_limit,
    raf406_recursion_limit,
    raf407_dynamic_code,
    raf408_opaque_call,
    raf409_unsupported,
    raf501_dynamic_resources,
    raf502_invalid_resources,
    raf503_unknown_resource,
    raf504_exceeds_node,
    raf505_no_mpi_launcher,
    raf506_gpus_exceed_node,
    raf507_memory_exceeds_node,
    raf508_exceeds_allocation,
    raf509_pilot_smaller_than_batch,
    raf601_nondeterministic_argument,
    raf602_set_iteration,
    raf701_task_not_extractable,
    raf900_internal_error,
)

#: every rule module imported above, in code order (the import list is the only list)
_MODULES: tuple[ModuleType, ...] = tuple(
    module for name, module in sorted(globals().items())
    if name.startswith("raf") and isinstance(module, ModuleType)
)


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: str
    message: str
    hint: str
    blocker: bool
    doc: str

    @property
    def family(self) -> str:
        return self.code[:4] + "xx"


def _rule(module: ModuleType) -> Rule:
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        message=module.MESSAGE,
        hint=module.HINT,
        blocker=module.BLOCKER,
        doc=inspect.cleandoc(module.__doc__ or ""),
    )


RULES: dict[str, Rule] = {rule.code: rule for rule in map(_rule, _MODULES)}


def get(code: str) -> Rule:
    """The rule for ``code`` (case-insensitive, ``raf401`` works)."""
    return RULES[code.upper()]


__all__ = ["RULES", "Rule", "get"]
