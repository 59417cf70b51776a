"""Which critical path to draw: the plan's (weighted by estimates) or by node count."""

from __future__ import annotations

from ..ir import critical_path
from .load import Subject


def critical(subject: Subject) -> list[str]:
    """A plan's ``estimates.critical_path.nodes`` when present, else the longest chain."""
    plan = subject.plan or {}
    estimate = (plan.get("estimates") or {}).get("critical_path") or {}
    nodes = estimate.get("nodes")
    known = {n.id for n in subject.workflow.nodes}
    if isinstance(nodes, list) and nodes and all(i in known for i in nodes):
        return [str(i) for i in nodes]
    return critical_path(subject.workflow)
