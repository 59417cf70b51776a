"""Turn raw nodes (numbered in creation order) into IR nodes with readable ids.

Both front ends, the static compiler and the trace recorder, create
:class:`RawNode` objects that refer to each other by creation index.  The id
scheme lives here, once, so the two agree by construction:

``name@line`` for a call site reached once in its context, ``name@line[k]``
(``k`` = 0, 1, ... in creation order) for one reached several times, e.g. in a
loop.  Nodes created inside a block are prefixed by the block's id and ``/``::

    prepare@12   simulate@15[0]   simulate@15[1]   ensemble@30/analyse@22
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from .model import Node, Span
from .values import FUTURE, OUTPUT, RESULT, RUNTIME


@dataclasses.dataclass(slots=True)
class RawNode:
    """A node before ids are assigned; references are creation indices."""

    index: int
    kind: str
    name: str
    span: Span
    parent: int | None = None
    after: set[int] = dataclasses.field(default_factory=set)
    args: list[Any] = dataclasses.field(default_factory=list)
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    command: str | None = None
    command_template: bool = False
    resources: dict[str, Any] = dataclasses.field(default_factory=dict)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    backend: str | None = None
    inputs: list[str] = dataclasses.field(default_factory=list)
    outputs: list[str] = dataclasses.field(default_factory=list)
    #: dynamic nodes: how to run the region alone (``compiler.regions``), None otherwise
    region: dict[str, Any] | None = None


def assign_ids(raw: list[RawNode]) -> list[str]:
    """Ids for ``raw`` (which must be in creation order, parents first)."""
    group = [(n.parent, n.name, n.span.line) for n in raw]
    totals = Counter(group)
    seen: Counter[tuple[int | None, str, int]] = Counter()
    ids: list[str] = []
    for node, key in zip(raw, group):
        k = seen[key]
        seen[key] += 1
        local = f"{node.name}@{node.span.line}" + (f"[{k}]" if totals[key] > 1 else "")
        ids.append(local if node.parent is None else f"{ids[node.parent]}/{local}")
    return ids


def _remap(value: Any, ids: list[str]) -> Any:
    if isinstance(value, list):
        return [_remap(v, ids) for v in value]
    if not isinstance(value, dict):
        return value
    if FUTURE in value and isinstance(value[FUTURE], int):
        return {FUTURE: ids[value[FUTURE]]}
    if RESULT in value and isinstance(value[RESULT], int):
        return {RESULT: ids[value[RESULT]]}
    if OUTPUT in value and isinstance(value[OUTPUT], list) and isinstance(value[OUTPUT][0], int):
        return {OUTPUT: [ids[value[OUTPUT][0]], value[OUTPUT][1]]}
    if RUNTIME in value and _all_ints(value[RUNTIME]):
        return {RUNTIME: sorted({ids[i] for i in value[RUNTIME]})}
    return {k: _remap(v, ids) for k, v in value.items()}


def _region(region: dict[str, Any] | None, ids: list[str]) -> dict[str, Any] | None:
    if region is None or "absorbs" not in region:
        return region
    return {**region, "absorbs": [ids[i] for i in region["absorbs"]]}


def _all_ints(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, int) for i in items)


def finalize(raw: list[RawNode]) -> tuple[Node, ...]:
    """Raw nodes -> frozen IR nodes; ``after`` is ordered by creation index."""
    ids = assign_ids(raw)
    nodes = []
    for n in raw:
        nodes.append(
            Node(
                id=ids[n.index],
                kind=n.kind,
                name=n.name,
                span=n.span,
                after=tuple(ids[i] for i in sorted(n.after)),
                parent=None if n.parent is None else ids[n.parent],
                args=tuple(_remap(a, ids) for a in n.args),
                kwargs={k: _remap(v, ids) for k, v in n.kwargs.items()},
                command=n.command,
                command_template=n.command_template,
                resources=_remap(n.resources, ids),
                options=_remap(n.options, ids),
                reason=n.reason,
                backend=n.backend,
                inputs=tuple(n.inputs),
                outputs=tuple(n.outputs),
                region=_region(n.region, ids),
            )
        )
    return tuple(nodes)
