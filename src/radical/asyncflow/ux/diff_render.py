"""The two renderings of a :class:`~.diff.Diff`: text for people, JSON with a stable schema.

JSON schema ``radical.asyncflow.diff/1``::

    {"schema", "a", "b", "equal",
     "summary": {"nodes": [A, B], "edges": [A, B], "added", "removed", "changed",
                 "renumbered"},
     "nodes": {"added": [{"id", "kind", "name"}], "removed": [...],
               "changed": [{"id", "was", "changes": [{"field", "from", "to"}]}],
               "renumbered": [{"from", "to"}]},
     "edges": {"added": [[from, to]], "removed": [[from, to]]},
     "impact": {"backend", "lines": [...], "before": {...}, "after": {...}}}

Lists are sorted; ``from``/``to`` of a field that one side lacks is ``null``.
"""

from __future__ import annotations

import json
from typing import Any

from ..ir import Node, dumps
from .diff import Diff

DIFF_SCHEMA = "radical.asyncflow.diff/1"
SHOWN_RENUMBERED = 3


def to_json(d: Diff) -> dict[str, Any]:
    return {
        "schema": DIFF_SCHEMA,
        "a": d.a,
        "b": d.b,
        "equal": d.equal,
        "summary": {"nodes": list(d.nodes), "edges": list(d.edges), "added": len(d.added),
                    "removed": len(d.removed), "changed": len(d.changed),
                    "renumbered": len(d.renumbered)},
        "nodes": {
            "added": [_node(n) for n in d.added],
            "removed": [_node(n) for n in d.removed],
            "changed": [{"id": c.id, "was": c.was,
                         "changes": [{"field": x.field, "from": x.before, "to": x.after}
                                     for x in c.changes]} for c in d.changed],
            "renumbered": [{"from": a, "to": b} for a, b in d.renumbered],
        },
        "edges": {"added": [list(e) for e in d.edges_added],
                  "removed": [list(e) for e in d.edges_removed]},
        "impact": {"backend": d.impact.backend, "lines": list(d.impact.lines),
                   "before": dict(d.impact.before), "after": dict(d.impact.after)},
    }


def render_json(d: Diff) -> str:
    return dumps(to_json(d))


def _node(node: Node) -> dict[str, str]:
    return {"id": node.id, "kind": node.kind, "name": node.name}


def render_text(d: Diff) -> str:
    out = [f"--- {d.a}", f"+++ {d.b}"]
    if d.equal:
        out.append(f"no differences ({d.nodes[1]} nodes, {d.edges[1]} edges)")
    else:
        out.append(f"nodes: {d.nodes[0]} -> {d.nodes[1]} ({len(d.added)} added, "
                   f"{len(d.removed)} removed, {len(d.changed)} changed)")
        out.append(f"edges: {d.edges[0]} -> {d.edges[1]} ({len(d.edges_added)} added, "
                   f"{len(d.edges_removed)} removed)")
    out += [f"+ {n.id}  [{n.kind}]" for n in d.added]
    out += [f"- {n.id}  [{n.kind}]" for n in d.removed]
    for change in d.changed:
        was = f" (was {change.was})" if change.was != change.id else ""
        out.append(f"~ {change.id}{was}")
        out += [f"    {x.field}: {_short(x.before)} -> {_short(x.after)}" for x in change.changes]
    out += [f"+ edge {a} -> {b}" for a, b in d.edges_added]
    out += [f"- edge {a} -> {b}" for a, b in d.edges_removed]
    if d.renumbered:
        shown = ", ".join(f"{a} -> {b}" for a, b in d.renumbered[:SHOWN_RENUMBERED])
        more = len(d.renumbered) - SHOWN_RENUMBERED
        out.append(f"= {len(d.renumbered)} node ids renumbered (source lines moved): {shown}"
                   + (f", … and {more} more (see --format json)" if more > 0 else ""))
    if d.impact.lines:
        out.append(f"impact ({d.impact.backend}):")
        out += [f"  {line}" for line in d.impact.lines]
    return "\n".join(out) + "\n"


def _short(value: Any, limit: int = 120) -> str:
    text = "(none)" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
