"""Canonical JSON for the IR: sorted keys, two-space indent, UTF-8, final newline.

The same workflow always gives the same bytes, whatever ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import json
from typing import Any

from .model import SCHEMA, Diagnostic, Workflow


def dumps(data: Any) -> str:
    """Canonical text of a JSON-ready object."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def workflow_to_json(wf: Workflow) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "mode": wf.mode,
        "source": {"path": wf.path, "sha256": wf.digest},
        "nodes": [n.to_json() for n in wf.nodes],
        "edges": [list(e) for e in wf.edges()],
        "diagnostics": [d.to_json() for d in wf.diagnostics],
        "summary": summary(wf),
    }


def summary(wf: Workflow) -> dict[str, Any]:
    kinds = {k: 0 for k in ("function", "executable", "block", "dynamic")}
    for node in wf.nodes:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    sev = {s: 0 for s in ("error", "warning", "info")}
    for d in wf.diagnostics:
        sev[d.severity] += 1
    return {"nodes": len(wf.nodes), "edges": len(wf.edges()), "kinds": kinds, "diagnostics": sev}


def diagnostics_to_json(diags: list[Diagnostic]) -> dict[str, Any]:
    return {"diagnostics": [d.to_json() for d in diags]}
