"""What ``raf show`` / ``raf diff`` look at: a module, a plan, or a module at a git revision.

Everything becomes a :class:`Subject`: the IR :class:`~radical.asyncflow.ir.Workflow`
plus, for a plan, the plan document (its backend and estimates).  Modules are
compiled statically; an old revision is read with ``git show REV:./file`` and
compiled from those bytes, so nothing is ever executed.  Problems the user can
fix (a missing file, an unknown revision, a malformed plan) raise
:class:`SubjectError`, which the commands turn into exit code 2.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Mapping
from typing import Any

from ..compiler import Limits, Options, compile_path
from ..ir import Diagnostic, Node, Span, Workflow

PLAN_FILE = "plan.json"


class SubjectError(Exception):
    """A path, plan or revision that cannot be read (exit code 2)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Subject:
    """One side of a diff, or what ``raf show`` draws."""

    label: str
    workflow: Workflow
    plan: Mapping[str, Any] | None = None

    @property
    def backend(self) -> str | None:
        return None if self.plan is None else str(self.plan.get("backend"))


def load(path: str, *, rev: str | None = None, options: Options | None = None) -> Subject:
    """A module (``.py``), a plan directory or a ``plan.json``; at ``rev`` when given."""
    plan_path = _plan_path(path)
    label = path if rev is None else f"{path}@{rev}"
    if plan_path is not None:
        return plan_subject(label, _parse_json(_read(plan_path, rev), label))
    if rev is None and not os.path.isfile(path):
        raise SubjectError(f"{path}: no such module or plan directory")
    old = None if rev is None else _read(path, rev)
    return Subject(label, compile_path(path, options or Options(limits=Limits()), old))


def _plan_path(path: str) -> str | None:
    if os.path.isdir(path):
        candidate = os.path.join(path, PLAN_FILE)
        if not os.path.isfile(candidate):
            raise SubjectError(f"{path}: a directory without {PLAN_FILE} "
                               "(make one with `raf compile --out DIR`)")
        return candidate
    return path if path.endswith(".json") else None


def _read(path: str, rev: str | None) -> bytes:
    if rev is None:
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise SubjectError(f"{path}: {exc.strerror}") from None
    return git_show(path, rev)


def git_show(path: str, rev: str) -> bytes:
    """The bytes of ``path`` at revision ``rev`` (``git show REV:./name`` in its directory)."""
    if rev.startswith("-"):
        raise SubjectError(f"{rev!r} is not a revision")
    folder, name = os.path.split(os.path.abspath(path))
    try:
        proc = subprocess.run(["git", "show", f"{rev}:./{name}"], cwd=folder, capture_output=True,
                              timeout=60, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SubjectError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise SubjectError(f"git show {rev}:{path} timed out") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SubjectError(f"cannot read {path} at {rev}: {reason[-1] if reason else 'git failed'}")
    return proc.stdout


def _parse_json(data: bytes, label: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SubjectError(f"{label}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        raise SubjectError(f"{label}: not a plan (no 'nodes' list)")
    return doc


def plan_subject(label: str, doc: Mapping[str, Any]) -> Subject:
    """A plan (or ``raf compile`` JSON) document turned back into IR objects."""
    try:
        nodes = tuple(node_from_json(n) for n in doc["nodes"])
        diags = tuple(_diagnostic(d) for d in doc.get("diagnostics", []))
        source = doc.get("source") or {}
        workflow = Workflow(str(source.get("path", label)), str(source.get("sha256", "")),
                            str(doc.get("mode", "static")), nodes, diags)
    except (KeyError, TypeError, ValueError) as exc:
        raise SubjectError(f"{label}: malformed plan ({type(exc).__name__}: {exc})") from None
    is_plan = str(doc.get("schema", "")).startswith("radical.asyncflow.plan/")
    return Subject(label, workflow, doc if is_plan else None)


def node_from_json(data: Mapping[str, Any]) -> Node:
    """The inverse of ``Node.to_json`` (keys ``Node`` does not have are ignored)."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Node):
        if field.name in data:
            value = data[field.name]
            values[field.name] = tuple(value) if field.default == () else value
    values["span"] = Span.from_json(data["span"])
    return Node(**values)


def _diagnostic(data: Mapping[str, Any]) -> Diagnostic:
    return Diagnostic(str(data["code"]), str(data["severity"]), str(data["message"]),
                      Span.from_json(data["span"]), str(data.get("hint", "")))
