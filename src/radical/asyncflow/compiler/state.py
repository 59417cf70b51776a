"""The evaluator's mutable state: the raw nodes made so far, findings, budgets.

Evaluation is sequential and deterministic; node indices are creation order.
"""

from __future__ import annotations

import ast
import dataclasses

from ..ir import BackendDecl, Diagnostic, PilotDecl, RawNode, Related, Span
from .diagnostics import make
from .loader import Limits, Source

MAX_ITERATIONS = 300_000
MAX_INLINE_DEPTH = 48


class BudgetExceeded(Exception):
    def __init__(self, count: int, what: str) -> None:
        self.count = count
        self.what = what


@dataclasses.dataclass(slots=True)
class State:
    source: Source
    limits: Limits
    nodes: list[RawNode] = dataclasses.field(default_factory=list)
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    called_defs: set[int] = dataclasses.field(default_factory=set)
    defined_tasks: dict[int, str] = dataclasses.field(default_factory=dict)
    engines: int = 0
    iterations: int = 0
    star_import: bool = False
    module_names: dict[str, int] = dataclasses.field(default_factory=dict)
    early_names: set[str] = dataclasses.field(default_factory=set)
    unrolling: int = 0
    exhausted: bool = False
    file_producers: dict[str, int] = dataclasses.field(default_factory=dict)
    pilots: list[PilotDecl] = dataclasses.field(default_factory=list)
    backends: list[BackendDecl] = dataclasses.field(default_factory=list)
    #: the statements being evaluated, innermost last, with the node count when each began
    stmt_marks: list[tuple[ast.stmt, int]] = dataclasses.field(default_factory=list)

    def span(self, node: ast.AST) -> Span:
        return self.source.span(node)

    def report(self, code: str, node: ast.AST | Span, related: tuple[Related, ...] = (),
               **fields: object) -> None:
        span = node if isinstance(node, Span) else self.span(node)
        self.diagnostics.append(make(code, span, related, **fields))

    def new_node(self, kind: str, name: str, node: ast.AST, parent: int | None,
                 force: bool = False) -> RawNode:
        if not force and (self.exhausted or len(self.nodes) >= self.limits.max_nodes):
            raise BudgetExceeded(len(self.nodes), "nodes")
        raw = RawNode(index=len(self.nodes), kind=kind, name=name,
                      span=self.call_span(node), parent=parent)
        self.nodes.append(raw)
        return raw

    def call_span(self, node: ast.AST) -> Span:
        """The span of a call; its line is the one CPython reports as the call's line."""
        span = self.span(node)
        func = getattr(node, "func", None)
        if isinstance(func, ast.Attribute) and func.end_lineno and func.end_lineno != span.line:
            return dataclasses.replace(span, line=func.end_lineno)
        return span

    def tick(self) -> None:
        """One loop iteration; raise BudgetExceeded past the evaluation budget."""
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise BudgetExceeded(MAX_ITERATIONS, "loop iterations")
