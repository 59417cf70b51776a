"""The semantic difference between two workflow graphs (``raf diff``).

Why matching is not just "same id": node ids carry the line of their call
site (``simulate@15[2]``), so inserting one comment line above a loop would
otherwise show every later node as removed and re-added.  Nodes are matched
in two rounds:

1. equal ids;
2. among the rest, equal ids *with the line numbers removed* (``simulate[2]``,
   ``campaign/stage[1]/equilibrate``), paired in creation order.

Pairs from round 2 are *renumbered*: the same node whose lines moved.  That
alone is not a difference (the graph is the same); it is reported as a note.
Everything else is compared in A's id space (references inside arguments and
parents are translated through the matching), so the output says what changed
in the workflow, not where its lines went.  Spans are never compared.

All lists are sorted (ids, then fields), so the output is stable.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from ..ir import Node
from ..ir.values import FUTURE, OUTPUT, RESULT, RUNTIME
from .impact import Impact, impact
from .load import Subject

_LINE = re.compile(r"@\d+")
_SCALAR_FIELDS = ("kind", "name", "parent", "args", "command", "command_template", "reason",
                  "backend", "inputs", "outputs")
_MAPPING_FIELDS = ("kwargs", "resources", "options")
MISSING = None


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclasses.dataclass(frozen=True, slots=True)
class NodeChange:
    id: str  # in B
    was: str  # in A
    changes: tuple[Change, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Diff:
    a: str
    b: str
    nodes: tuple[int, int]
    edges: tuple[int, int]
    added: tuple[Node, ...]
    removed: tuple[Node, ...]
    changed: tuple[NodeChange, ...]
    renumbered: tuple[tuple[str, str], ...]
    edges_added: tuple[tuple[str, str], ...]
    edges_removed: tuple[tuple[str, str], ...]
    impact: Impact

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed or self.edges_added
                    or self.edges_removed or self.impact.lines)


def line_free(node_id: str) -> str:
    """``campaign@47/stage@39[1]`` -> ``campaign/stage[1]``."""
    return _LINE.sub("", node_id)


def match(a: tuple[Node, ...], b: tuple[Node, ...]) -> dict[str, str]:
    """B id -> A id for the nodes both sides have (see the module docstring)."""
    a_ids = {n.id for n in a}
    pairs = {n.id: n.id for n in b if n.id in a_ids}
    waiting: dict[str, deque[str]] = {}
    for node in a:
        if node.id not in pairs:
            waiting.setdefault(line_free(node.id), deque()).append(node.id)
    for node in b:
        queue = waiting.get(line_free(node.id))
        if node.id not in pairs and queue:
            pairs[node.id] = queue.popleft()
    return pairs


def diff(a: Subject, b: Subject, backend: str | None = None) -> Diff:
    """Compare ``b`` against ``a``; ``backend`` chooses the impact lines (default: the plans')."""
    wa, wb = a.workflow, b.workflow
    pairs = match(wa.nodes, wb.nodes)
    matched_a = set(pairs.values())
    a_by_id = {n.id: n for n in wa.nodes}
    changed = [_changes(a_by_id[pairs[n.id]], n, pairs) for n in wb.nodes if n.id in pairs]
    a_edges = set(wa.edges())
    b_edges = {(pairs.get(x, x), pairs.get(y, y)): (x, y) for x, y in wb.edges()}
    return Diff(
        a=a.label, b=b.label,
        nodes=(len(wa.nodes), len(wb.nodes)), edges=(len(a_edges), len(b_edges)),
        added=tuple(sorted((n for n in wb.nodes if n.id not in pairs), key=_id)),
        removed=tuple(sorted((n for n in wa.nodes if n.id not in matched_a), key=_id)),
        changed=tuple(sorted((c for c in changed if c.changes), key=lambda c: c.id)),
        renumbered=tuple(sorted((was, now) for now, was in pairs.items() if now != was)),
        edges_added=tuple(sorted(b_edges[e] for e in b_edges.keys() - a_edges)),
        edges_removed=tuple(sorted(a_edges - b_edges.keys())),
        impact=impact(a, b, backend),
    )


def _id(node: Node) -> str:
    return node.id


def _changes(old: Node, new: Node, pairs: Mapping[str, str]) -> NodeChange:
    found = []
    for name in _SCALAR_FIELDS:
        before, after = getattr(old, name, None), _rename(getattr(new, name, None), pairs)
        if name == "parent" and after is not None:
            after = pairs.get(after, after)
        if _plain(before) != _plain(after):
            found.append(Change(name, _plain(before), _plain(after)))
    for name in _MAPPING_FIELDS:
        before_map, after_map = getattr(old, name), _rename(dict(getattr(new, name)), pairs)
        for key in sorted(set(before_map) | set(after_map)):
            x, y = before_map.get(key, MISSING), after_map.get(key, MISSING)
            if _plain(x) != _plain(y):
                found.append(Change(f"{name}.{key}", _plain(x), _plain(y)))
    return NodeChange(new.id, old.id, tuple(found))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _rename(value: Any, pairs: Mapping[str, str]) -> Any:
    """An encoded value with its node references translated from B to A ids."""
    if isinstance(value, list | tuple):
        return [_rename(v, pairs) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and (FUTURE in value or RESULT in value):
            tag, ref = next(iter(value.items()))
            return {tag: pairs.get(ref, ref)}
        if len(value) == 1 and OUTPUT in value and isinstance(value[OUTPUT], list):
            return {OUTPUT: [pairs.get(value[OUTPUT][0], value[OUTPUT][0]), *value[OUTPUT][1:]]}
        if len(value) == 1 and RUNTIME in value:
            return {RUNTIME: sorted(pairs.get(r, r) for r in value[RUNTIME])}
        return {k: _rename(v, pairs) for k, v in value.items()}
    return value
