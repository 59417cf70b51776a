"""``raf compile --trace``: the graph of a workflow, recorded by EXECUTING it.

Unlike the static compiler, this runs the module (in a subprocess, with every
engine on a recording dry-run backend: task bodies never run, results are
placeholders).  It is the oracle the static compiler is tested against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from ..compiler.diagnostics import make, ordered
from ..compiler.loader import display_path, file_span
from ..ir import RawNode, Span, Workflow, finalize

TIMEOUT = 600.0


def trace_path(path: str, strict: bool = False, timeout: float = TIMEOUT,
               announce: bool = True) -> Workflow:
    """Trace ``path`` in a subprocess; the module's output goes to our stderr."""
    shown = display_path(path)
    if announce:
        print(f"raf: --trace EXECUTES {shown} with a recording dry-run engine "
              "(task bodies do not run)", file=sys.stderr, flush=True)
    if not os.path.isfile(path):
        return Workflow(shown, "", "trace", (), (make("RAF104", file_span(shown), path=shown,
                                                      detail="not a regular file"),))
    try:
        proc = subprocess.run([sys.executable, "-m", "radical.asyncflow.trace", path],
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout,
                              check=False)
        data = json.loads(proc.stdout or b"{}")
    except (subprocess.TimeoutExpired, ValueError) as exc:
        data = {"events": [], "error": {"type": type(exc).__name__, "message": str(exc),
                                        "line": 0}}
    return build(shown, data)


def build(shown: str, data: dict[str, Any]) -> Workflow:
    """Raw events -> IR, with the same id scheme as the static compiler."""
    events = data.get("events", [])
    index = {e["uid"]: i for i, e in enumerate(events)}
    raw = [_raw(i, e, index, shown) for i, e in enumerate(events)]
    diags = []
    error = data.get("error")
    if error:
        detail = f"{error['type']}: {error['message']}"
        diags.append(make("RAF105", file_span(shown, max(error.get("line", 0), 1)), detail=detail))
    digest = _digest(shown)
    return Workflow(shown, digest, "trace", finalize(raw), tuple(ordered(diags)))


def _raw(i: int, event: dict[str, Any], index: dict[str, int], shown: str) -> RawNode:
    line = event["callsite"][1] if event.get("callsite") else 0
    node = RawNode(index=i, kind=event["kind"], name=event["name"],
                   span=Span(shown, line, 1, line, 1))
    parent = event.get("parent")
    node.parent = index.get(parent) if parent else None
    refs = set(event.get("deps", []))
    node.args = [_reindex(a, index, refs) for a in event.get("args", [])]
    node.kwargs = {k: _reindex(v, index, refs) for k, v in event.get("kwargs", {}).items()
                   if k not in ("task_description", "workflow_id")}
    node.after = {index[u] for u in refs if u in index and index[u] < i}
    node.backend = event.get("backend")
    node.inputs = list(event.get("inputs", []))
    node.outputs = list(event.get("outputs", []))
    return node


def _reindex(value: Any, index: dict[str, int], refs: set[str]) -> Any:
    if isinstance(value, list):
        return [_reindex(v, index, refs) for v in value]
    if not isinstance(value, dict):
        return value
    for tag in ("$future", "$result"):
        if tag in value and isinstance(value[tag], str):
            refs.add(value[tag])
            return {tag: index.get(value[tag], -1)}
    if "$runtime" in value and isinstance(value["$runtime"], list):
        refs.update(value["$runtime"])
        return {"$runtime": [index[u] for u in value["$runtime"] if u in index]}
    return {k: _reindex(v, index, refs) for k, v in value.items()}


def _digest(shown: str) -> str:
    import hashlib

    try:
        with open(shown, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


__all__ = ["build", "trace_path"]
