"""Symbolic evaluation of a workflow module: the heart of the static compiler.

The module body is *interpreted* over symbolic values, statement by statement,
in the order Python would run it — but nothing is executed: names resolve to
symbolic values, imports to qualified names, and only pure operations on
constants are folded.  That gives the dynamic engine's semantics for free:

* sync style: the module top level is the workflow;
* async style: ``asyncio.run(main())`` runs ``main``'s body, ``await`` of a
  future gives its result, ``asyncio.gather`` awaits each argument;
* helpers are inlined (depth-limited), blocks are evaluated in their own
  context, loops over constants are unrolled, ``if`` on constants takes one
  branch;
* whatever depends on run-time data becomes a dynamic region (RAF4xx).

The mixins split the interpreter by concern: expressions, access, loops,
statements, calls, builtins, externals, tasks.
"""

from __future__ import annotations

import ast

from .builtins import BuiltinsMixin
from .eval_access import AccessMixin
from .eval_call import CallMixin
from .eval_expr import ExprMixin
from .eval_loops import LoopsMixin
from .eval_stmt import StmtMixin
from .externals import ExternalsMixin
from .imports import ImportResolver
from .loader import Limits, Source
from .scope import (
    BreakSignal,
    ContinueSignal,
    DynamicJump,
    Env,
    Frame,
    ReturnSignal,
    StopModule,
)
from .state import BudgetExceeded, State
from .tasks import TasksMixin


class Evaluator(TasksMixin, ExternalsMixin, CallMixin, BuiltinsMixin, LoopsMixin,  # type: ignore[misc]
                AccessMixin, StmtMixin, ExprMixin):
    def __init__(self, source: Source, limits: Limits, origin: str) -> None:
        self.state = State(source, limits)
        self.imports = ImportResolver(origin)
        self._module_env = Env()

    @property
    def module_env(self) -> Env:
        return self._module_env

    def run(self) -> State:
        self.state.module_names = top_level_names(self.state.source.tree)
        frame = Frame(env=self._module_env)
        for stmt in self.state.source.tree.body:
            try:
                self.exec_body([stmt], frame)
            except StopModule:
                break
            except BudgetExceeded as exc:
                self.budget_region(stmt, frame, exc)
                break
            except (ReturnSignal, BreakSignal, ContinueSignal, DynamicJump):
                continue
        return self.state


def top_level_names(tree: ast.Module) -> dict[str, int]:
    """First line on which each module-level name is bound (defs, imports, assignments)."""
    names: dict[str, int] = {}
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        for name in _bound_names(node):
            line = getattr(node, "lineno", 0)
            names[name] = min(names.get(name, line), line)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda) and isinstance(node, ast.stmt):
            stack.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    return names


def _bound_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        targets = [node.target]
    elif isinstance(node, ast.With | ast.AsyncWith):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
