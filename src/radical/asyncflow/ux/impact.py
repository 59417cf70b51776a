"""What a change means for the machine: task counts, cores, GPUs, the pilot, the Dask graph.

Facts come from a plan's ``estimates`` and backend section when the subject is
a plan, and are computed the same way (``codegen.plan`` / ``codegen.sections``)
for a module, so a module and its plan give the same facts.  Only facts that
differ become lines, e.g. ``adds 3 GPU tasks`` or
``pilot grows from 64 to 96 cores``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..codegen.plan import TASK_KINDS, batches, estimates, gpus
from ..codegen.sections import section
from .load import Subject

DEFAULT_BACKEND = "local"


@dataclasses.dataclass(frozen=True, slots=True)
class Impact:
    backend: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    lines: tuple[str, ...]


def facts(subject: Subject, backend: str) -> dict[str, Any]:
    """The numbers the impact lines compare, for one side."""
    wf = subject.workflow
    plan = subject.plan if subject.plan and subject.backend == backend else None
    est = plan["estimates"] if plan else estimates(wf, batches(wf))
    tasks = [n for n in wf.nodes if n.kind in TASK_KINDS]
    out: dict[str, Any] = {
        "backend": subject.backend or backend,
        "tasks": len(tasks),
        "gpu_tasks": sum(1 for n in tasks if gpus(n) > 0),
        "dynamic_regions": sum(1 for n in wf.nodes if n.kind == "dynamic"),
        "peak_cores": est["peak_cores"],
        "peak_gpus": est["peak_gpus"],
        "critical_path": est["critical_path"]["length"],
        "critical_path_seconds": est["critical_path"]["seconds"],
        "core_hours": est["core_hours"],
        "batches": est["batches"],
    }
    sec = plan[backend] if plan and backend in plan else section(wf, backend)
    if backend == "radical.pilot":
        out["pilot"] = dict(sec["pilot"])
    elif backend == "dask":
        out["dask_keys"] = len(sec["graph"])
        out["dask_chains"] = len(sec["chains"])
    return out


def impact(a: Subject, b: Subject, backend: str | None) -> Impact:
    chosen = backend or b.backend or a.backend or DEFAULT_BACKEND
    before, after = facts(a, chosen), facts(b, chosen)
    return Impact(chosen, before, after, tuple(_lines(before, after)))


def _lines(x: Mapping[str, Any], y: Mapping[str, Any]) -> list[str]:
    lines = []
    if x["backend"] != y["backend"]:
        lines.append(f"backend changes from {x['backend']} to {y['backend']}")
    lines += _count(x["tasks"], y["tasks"], "task")
    lines += _count(x["gpu_tasks"], y["gpu_tasks"], "GPU task")
    lines += _count(x["dynamic_regions"], y["dynamic_regions"], "dynamic region")
    for key, what in (("peak_cores", "peak cores"), ("peak_gpus", "peak GPUs"),
                      ("critical_path", "critical path (nodes)"),
                      ("critical_path_seconds", "critical path (estimated seconds)"),
                      ("core_hours", "estimated core-hours"), ("batches", "batches")):
        if x[key] != y[key]:
            lines.append(f"{what}: {_num(x[key])} -> {_num(y[key])}")
    if "pilot" in x:
        lines += _pilot(x["pilot"], y["pilot"])
    if "dask_keys" in x:
        for key, what in (("dask_keys", "Dask graph keys"), ("dask_chains", "fusable chains")):
            if x[key] != y[key]:
                lines.append(f"{what}: {x[key]} -> {y[key]}")
    return lines


def _count(before: int, after: int, what: str) -> list[str]:
    if after == before:
        return []
    verb, n = ("adds", after - before) if after > before else ("removes", before - after)
    return [f"{verb} {n} {what}{'' if n == 1 else 's'}"]


def _pilot(x: Mapping[str, Any], y: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, unit in (("cores", "cores"), ("gpus", "GPUs"), ("runtime", "minutes")):
        if x.get(key) != y.get(key):
            verb = "grows" if (y.get(key) or 0) > (x.get(key) or 0) else "shrinks"
            lines.append(f"pilot {verb} from {x.get(key)} to {y.get(key)} {unit}")
    if x.get("resource") != y.get("resource"):
        lines.append(f"pilot resource: {x.get('resource')} -> {y.get('resource')}")
    return lines


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
