"""Discovery of task definitions with libcst.

libcst is exact about decorators and keeps comments, but costs ~0.4 ms per
statement (a 10k-call workflow body takes 4 s with positions).  So the ``ast``
(already built by the gate) locates decorated definitions, and libcst parses
only those definitions' source, with positions, in the big-stack worker
thread.  The workflow body itself is evaluated from the ``ast``.

Findings: RAF202 (positional arguments or unknown keywords in a task
decorator), RAF203 (a task defined twice in the same scope).
"""

from __future__ import annotations

import ast
import dataclasses
import textwrap

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..ir import Diagnostic, Related, Span
from .diagnostics import make
from .loader import Source
from .values import TASK_KINDS

KNOWN_OPTIONS = {"task_description", "retries", "timeout", "backend", "service"}


@dataclasses.dataclass(frozen=True, slots=True)
class TaskDef:
    """A syntactically decorated task definition."""

    name: str
    kind: str
    line: int
    scope: int
    span: Span
    is_async: bool


def _decorator_kind(dec: ast.expr) -> str | None:
    func = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(func, ast.Attribute) and func.attr in TASK_KINDS:
        return TASK_KINDS[func.attr]
    return None


def task_definitions(source: Source) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(definition, id of the enclosing scope) for every syntactically decorated task."""
    found = []
    stack: list[tuple[ast.AST, int]] = [(source.tree, 0)]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = child.lineno
                if not isinstance(child, ast.ClassDef) and any(
                        _decorator_kind(d) for d in child.decorator_list):
                    found.append((child, scope))
            stack.append((child, inner))
    return sorted(found, key=lambda pair: pair[0].lineno)


class _DecoratorVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self.problems: list[tuple[int, int, str, str]] = []

    def visit_Decorator(self, node: cst.Decorator) -> None:
        expr = node.decorator
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            return
        if expr.func.attr.value not in TASK_KINDS:
            return
        name = cst.Module([]).code_for_node(expr.func)
        for arg in expr.args:
            pos = self.get_metadata(PositionProvider, arg).start
            if arg.keyword is None:
                self.problems.append((pos.line, pos.column, name, "it takes keyword options only"))
            elif arg.keyword.value not in KNOWN_OPTIONS:
                detail = f"unknown option '{arg.keyword.value}'"
                self.problems.append((pos.line, pos.column, name, detail))


def _segment(source: Source, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, int]:
    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
    last = node.end_lineno or node.lineno
    text = "\n".join(source.lines[first - 1 : last]) + "\n"
    return textwrap.dedent(text), first


def discover(source: Source) -> tuple[list[TaskDef], list[Diagnostic]]:
    """Task definitions and RAF202/RAF203 findings. Runs libcst: call in the worker thread."""
    defs: list[TaskDef] = []
    diags: list[Diagnostic] = []
    for node, scope in task_definitions(source):
        kind = next(k for k in map(_decorator_kind, node.decorator_list) if k)
        span = source.span(node)
        defs.append(TaskDef(node.name, kind, node.lineno, scope, span,
                            isinstance(node, ast.AsyncFunctionDef)))
        diags.extend(_check_decorators(source, node))
    diags.extend(_duplicates(defs))
    return defs, diags


def _check_decorators(source: Source,
                      node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Diagnostic]:
    text, first = _segment(source, node)
    indent = node.col_offset
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return []
    visitor = _DecoratorVisitor()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    out = []
    for line, col, name, detail in visitor.problems:
        span = Span(source.path, first + line - 1, col + indent + 1, first + line - 1,
                    col + indent + 1)
        out.append(make("RAF202", span, decorator=name, detail=detail))
    return out


def _duplicates(defs: list[TaskDef]) -> list[Diagnostic]:
    first: dict[tuple[int, str], TaskDef] = {}
    out = []
    for d in defs:
        key = (d.scope, d.name)
        if key in first:
            earlier = first[key]
            related = (Related(earlier.span, f"'{d.name}' is first defined here"),)
            out.append(make("RAF203", d.span, related, name=d.name, first=earlier.line))
        else:
            first[key] = d
    return out
