"""The backend section of ``plan.json``: what each backend needs, as plain data.

* ``local``: the nodes in one deterministic dependency order.
* ``dask``: the task graph as keys -> callable reference + argument keys, the
  way a Dask graph names its tasks; linear chains of function tasks (each the
  only dependent of the previous, in the same block) are listed in ``chains``
  as candidates for fusion.
* ``radical.pilot``: a ``PilotDescription`` sized for the target machine
  (:mod:`.sizing`: widest batch + RAPTOR, whole nodes, walltime from the
  critical path), the RAPTOR layout, the sizing facts, plus ``TaskDescription``
  dicts per topological batch, as the runtime backend builds them
  (executables through :func:`..runtime.backends._rp_tasks.command_fields`).
  Blocks and dynamic regions run on the engine, not on the pilot, and are
  listed apart.  :mod:`..runtime.backends.radical_pilot` owns how RP runs tasks.
"""

from __future__ import annotations

from typing import Any

from ..compiler.machines import Target
from ..ir import Node, Workflow
from ..ir.values import refs_in
from ..runtime.backends._rp_tasks import command_fields
from .plan import TASK_KINDS, batches, order
from .sizing import pilot_description

TASKS_MODULE = "tasks"
EXECUTABLE_CALLABLE = "radical.asyncflow:executable"
DEFAULT_RESOURCE = "local.localhost"


def section(wf: Workflow, backend: str, target: Target | None = None) -> dict[str, Any]:
    if backend == "local":
        return {"order": order(wf)}
    if backend == "dask":
        return dask_section(wf)
    return pilot_section(wf, target)


def _callable(node: Node) -> str:
    if node.kind == "executable":
        return EXECUTABLE_CALLABLE
    return f"{TASKS_MODULE}:{node.name}"


def dask_section(wf: Workflow) -> dict[str, Any]:
    graph = {}
    for node in wf.nodes:
        if node.kind not in TASK_KINDS:
            continue
        entry: dict[str, Any] = {
            "callable": _callable(node),
            "keys": sorted(refs_in([list(node.args), dict(node.kwargs)])),
        }
        if node.kind == "executable":
            entry["function"] = f"{TASKS_MODULE}:{node.name}"
        graph[node.id] = entry
    return {"graph": graph, "chains": _chains(wf), "engine_side": _engine_side(wf)}


def _engine_side(wf: Workflow) -> list[str]:
    return [n.id for n in wf.nodes if n.kind not in TASK_KINDS]


def _chains(wf: Workflow) -> list[list[str]]:
    """Maximal linear chains of function tasks (length >= 2)."""
    by_id = {n.id: n for n in wf.nodes}
    dependents: dict[str, list[str]] = {n.id: [] for n in wf.nodes}
    for node in wf.nodes:
        for dep in node.after:
            dependents[dep].append(node.id)

    def link(a: str) -> str | None:
        nxt = dependents[a]
        if len(nxt) != 1:
            return None
        b = by_id[nxt[0]]
        ok = b.kind == "function" and len(b.after) == 1 and b.parent == by_id[a].parent
        return b.id if ok else None

    heads = [n.id for n in wf.nodes if n.kind == "function"
             and not (len(n.after) == 1 and link(n.after[0]) == n.id)]
    chains = []
    for head in heads:
        chain = [head]
        while (nxt := link(chain[-1])) is not None:
            chain.append(nxt)
        if len(chain) > 1:
            chains.append(chain)
    return chains


def pilot_section(wf: Workflow, target: Target | None = None) -> dict[str, Any]:
    by_id = {n.id: n for n in wf.nodes}
    groups = [[by_id[i] for i in g if by_id[i].kind in TASK_KINDS] for g in batches(wf)]
    groups = [g for g in groups if g]
    label = target.label if target is not None else DEFAULT_RESOURCE
    machine = target.machine if target is not None else None
    if target is None:
        from ..compiler.machines import catalogue

        machine = catalogue().get(DEFAULT_RESOURCE)
    given = dict(target.pilot) if target is not None else {}
    pilot, extra = pilot_description(wf, label, machine, given)
    return {
        "pilot": pilot,
        "raptor": extra["raptor"],
        "sizing": extra["sizing"],
        "task_batches": [[_task_description(n) for n in g] for g in groups],
        "engine_side": _engine_side(wf),
    }


def _task_description(node: Node) -> dict[str, Any]:
    res = node.resources
    td: dict[str, Any] = {
        "uid": node.id,
        "name": node.name,
        "ranks": res.get("ranks", 1),
        "cores_per_rank": res.get("cores_per_rank", 1),
        "gpus_per_rank": res.get("gpus_per_rank", 0),
        "after": list(node.after),
    }
    if node.kind == "executable":
        td["mode"] = "task.executable"
        if node.command is not None and not node.command_template:
            td.update(command_fields(node.command, portable=True))
        td["command_template"] = node.command_template
    else:
        td["mode"] = "task.function"
        td["function"] = _callable(node)
    for key in sorted(res):
        td.setdefault(key, res[key])
    return td
