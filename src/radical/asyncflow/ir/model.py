"""The IR: frozen dataclasses for spans, nodes, diagnostics and the graph.

Values inside ``Node.args``/``kwargs``/``resources`` are already JSON-ready
(see :mod:`radical.asyncflow.ir.values` for the tagged encoding of futures,
tuples, sets and run-time values).  Nothing here knows how the graph was made:
the static compiler and the trace recorder both produce these objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

SCHEMA = "radical.asyncflow.compile/1"
NODE_KINDS = ("function", "executable", "block", "dynamic")
SEVERITIES = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True, slots=True)
class Span:
    """A source range; lines and columns are 1-based, columns count characters."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Span:
        return cls(data["path"], data["line"], data["col"], data["end_line"], data["end_col"])


@dataclasses.dataclass(frozen=True, slots=True)
class Related:
    """A secondary location attached to a diagnostic (e.g. one edge of a cycle)."""

    span: Span
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"span": self.span.to_json(), "message": self.message}


@dataclasses.dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``code`` is ``RAFnnn``; ``severity`` one of :data:`SEVERITIES`."""

    code: str
    severity: str
    message: str
    span: Span
    hint: str = ""
    related: tuple[Related, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "span": self.span.to_json(),
            "hint": self.hint,
            "related": [r.to_json() for r in self.related],
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Node:
    """One task, block or dynamic region of the workflow graph."""

    id: str
    kind: str
    name: str
    span: Span
    after: tuple[str, ...] = ()
    parent: str | None = None
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    command: str | None = None
    command_template: bool = False
    resources: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    #: the backend name the task is routed to (decorator or call), None: the default
    backend: str | None = None
    #: literal names of its ``InputFile``/``OutputFile`` arguments (file edges)
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    #: dynamic nodes: the region's code and where its names come from, or why the plan
    #: cannot run it alone (``{"unsupported": why}``); see ``compiler.regions``
    region: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "after": list(self.after),
            "parent": self.parent,
            "span": self.span.to_json(),
            "args": list(self.args),
            "kwargs": dict(self.kwargs),
            "resources": dict(self.resources),
            "options": dict(self.options),
        }
        if self.kind == "executable":
            out["command"] = self.command
            out["command_template"] = self.command_template
        if self.kind == "dynamic":
            out["reason"] = self.reason
            if self.region is not None:
                out["region"] = dict(self.region)
        if self.backend is not None:  # optional keys: absent when unused
            out["backend"] = self.backend
        if self.inputs:
            out["inputs"] = list(self.inputs)
        if self.outputs:
            out["outputs"] = list(self.outputs)
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class BackendDecl:
    """A built-in backend the module constructs: ``kind`` (``local``, ``dask``,
    ``radical.pilot``, ``noop``), its ``name=`` literal (None: ``"default"``) and, when
    every argument is a constant, ``config``: ``{"args": [...], "kwargs": {...}}``."""

    kind: str
    name: str | None
    config: Mapping[str, Any] | None
    span: Span

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "config": None if self.config is None else dict(self.config)}


@dataclasses.dataclass(frozen=True, slots=True)
class PilotDecl:
    """A ``RadicalExecutionBackend(...)`` the module constructs (not part of the IR JSON).

    ``description``: its ``PilotDescription`` dict when it is a constant, else None;
    ``name``: its ``name=`` literal, if any (tasks routed elsewhere are not checked).
    """

    span: Span
    description: Mapping[str, Any] | None
    name: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Workflow:
    """The whole result: nodes in creation order plus diagnostics, sorted."""

    path: str
    digest: str
    mode: str  # "static" | "trace"
    nodes: tuple[Node, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    #: Radical.Pilot backends the module constructs (static mode only), for RAF5xx and plans
    pilots: tuple[PilotDecl, ...] = ()
    #: every built-in backend the module constructs, in order (static mode only)
    backends: tuple[BackendDecl, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def edges(self) -> list[tuple[str, str]]:
        return [(dep, node.id) for node in self.nodes for dep in node.after]
