"""The compiler's entry points: ``compile_path`` and ``check_paths``.

Pipeline: load (file checks, decode, ``ast.parse`` gate) -> discovery (libcst)
-> symbolic evaluation -> passes -> resource checks (RAF503-509, when a target
is known) -> suppression / strictness / ordering.  A
blocker (RAF1xx) stops after loading; any unexpected exception is RAF900.
Everything after loading runs in a big-stack worker thread.
"""

from __future__ import annotations

import dataclasses
import traceback

from ..ir import Diagnostic, RawNode, Workflow, finalize
from .diagnostics import ignore_comments, make, ordered, strict, suppress
from .discovery import discover
from .evaluator import Evaluator
from .loader import Limits, LoadError, display_path, file_span, load
from .machines import Machine, resolve_target
from .passes import run_passes
from .resources import check_resources
from .worker import run_with_big_stack


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    strict: bool = False
    limits: Limits = dataclasses.field(default_factory=Limits)
    debug: bool = False
    #: RAF5xx target: a Radical.Pilot resource label, or a machine file's Machine
    resource: str | None = None
    machine: Machine | None = None


class InternalError(Exception):
    """Raised only with ``debug=True``: the compiler itself failed."""


def compile_path(path: str, options: Options | None = None,
                 data: bytes | None = None) -> Workflow:
    """Compile one module statically; never raises (unless ``options.debug``).

    ``data``: the module's content when it is not the file at ``path`` (``raf diff
    --against REV`` reads an old revision with ``git show``); imports still resolve
    next to ``path``.
    """
    options = options or Options()
    shown = display_path(path)
    try:
        return run_with_big_stack(lambda: _compile(path, options, data))
    except (RecursionError, MemoryError) as exc:
        what = "stack" if isinstance(exc, RecursionError) else "memory"
        detail = f"analysis exhausted the {what}"
        return _failed(shown, make("RAF103", file_span(shown), detail=detail))
    except Exception as exc:
        if options.debug:
            raise InternalError(traceback.format_exc()) from exc
        detail = f"{type(exc).__name__}: {exc}"
        return _failed(shown, make("RAF900", file_span(shown), detail=detail))


def _failed(shown: str, diagnostic: Diagnostic) -> Workflow:
    return Workflow(shown, "", "static", (), (diagnostic,))


def _compile(path: str, options: Options, data: bytes | None = None) -> Workflow:
    try:
        source = load(path, options.limits, data)
    except LoadError as exc:
        return _failed(display_path(path), exc.diagnostic)
    defs, found = discover(source)
    state = Evaluator(source, options.limits, path).run()
    diags = [*found, *state.diagnostics, *run_passes(state, defs)]
    nodes = finalize(_sanitized(state.nodes))
    target = resolve_target(state.pilots, options.resource, options.machine)
    if target is not None:
        diags += check_resources(source.path, nodes, target, file_span(source.path))
    diags = suppress(diags, ignore_comments(source.text))
    if options.strict:
        diags = strict(diags)
    return Workflow(source.path, source.digest, "static", nodes, tuple(ordered(diags)),
                    tuple(state.pilots), tuple(state.backends))


def _sanitized(nodes: list[RawNode]) -> list[RawNode]:
    """Dependencies always precede their dependents (guards against rolled-back regions)."""
    for node in nodes:
        node.after = {i for i in node.after if i < node.index}
        if node.parent is not None and node.parent >= node.index:
            node.parent = None
    return nodes


def check_paths(paths: list[str], options: Options | None = None) -> list[Workflow]:
    return [compile_path(p, options) for p in paths]
