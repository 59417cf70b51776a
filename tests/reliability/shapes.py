"""Workflow shapes and behaviours for the reliability matrix, with their expected outcomes.

A shape is a DAG of node indices; each node's value is ``index + sum(deps)``.
A behaviour says what one node does differently (raise, exit non-zero, succeed
only on a retry).  ``expected`` computes, in plain Python, what every node's
future must end as: a value, its own error, or a dependency failure.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Shape:
    name: str
    deps: tuple[tuple[int, ...], ...]  # deps[i]: the nodes node i depends on
    victim: int  # the node a behaviour acts on

    @property
    def size(self) -> int:
        return len(self.deps)


def _fan(width: int) -> Shape:
    return Shape(f"fan{width}", ((),) + ((0,),) * width + (tuple(range(1, width + 1)),), victim=2)


SHAPES = [
    Shape("single", ((),), victim=0),
    Shape("chain5", ((), (0,), (1,), (2,), (3,)), victim=2),
    Shape("diamond", ((), (0,), (0,), (1, 2)), victim=1),
    _fan(10),
    Shape("two-roots", ((), (), (0,), (1,), (2, 3)), victim=2),
]

OK, RAISE, EXIT, RETRY = "ok", "raise", "exit", "retry"
BEHAVIOURS = [OK, RAISE, EXIT, RETRY]


def values(shape: Shape) -> list[int]:
    out: list[int] = []
    for i, deps in enumerate(shape.deps):
        out.append(i + sum(out[d] for d in deps))
    return out


def expected(shape: Shape, behaviour: str) -> list[tuple[str, int | None]]:
    """Per node: ("value", v) | ("own-error", None) | ("dep-failed", None)."""
    vals = values(shape)
    if behaviour in (OK, RETRY):
        return [("value", v) for v in vals]
    failed = {shape.victim}
    for i, deps in enumerate(shape.deps):
        if any(d in failed for d in deps):
            failed.add(i)
    return [
        ("own-error", None)
        if i == shape.victim
        else ("dep-failed", None)
        if i in failed
        else ("value", vals[i])
        for i in range(shape.size)
    ]
