"""Passes over the evaluated graph: pure functions that return new findings.

Each pass declares what it needs (``State`` facts or the discovered
definitions) and returns diagnostics; :func:`run_passes` orders them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..ir import Diagnostic
from .diagnostics import make
from .discovery import TaskDef
from .state import State

Pass = Callable[[State, list[TaskDef]], list[Diagnostic]]


def unused_tasks(state: State, defs: list[TaskDef]) -> list[Diagnostic]:
    """RAF205: tasks defined (and reached) but never called (nor replaced, nor misused)."""
    replaced = {(d.scope, d.name) for i, d in enumerate(defs)
                if any((e.scope, e.name) == (d.scope, d.name) for e in defs[i + 1:])}
    return [make("RAF205", d.span, name=d.name) for d in defs
            if d.line in state.defined_tasks and d.line not in state.called_defs
            and (d.scope, d.name) not in replaced and d.name not in state.early_names]


def no_workflow(state: State, defs: list[TaskDef]) -> list[Diagnostic]:
    """RAF201: no engine and no task anywhere."""
    if state.engines or defs or state.defined_tasks:
        return []
    span = state.source.span(state.source.tree.body[0]) if state.source.tree.body else None
    if span is None:
        from .loader import file_span

        span = file_span(state.source.path)
    return [make("RAF201", span)]


PASSES: tuple[Pass, ...] = (unused_tasks, no_workflow)


def run_passes(state: State, defs: list[TaskDef]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for run in PASSES:
        found.extend(run(state, defs))
    return found
