"""Pilot sizing for a Radical.Pilot plan: how many nodes, GPUs and minutes to ask for.

The policy, and what it assumes:

* **Cores** come from the widest topological batch (:func:`.plan.batches`): the
  sum of ``ranks * cores_per_rank`` over the batch's executable tasks, which
  RP places directly, plus the RAPTOR overlay when there are function tasks.
  Batches are an estimate of concurrency: tasks of different batches can
  overlap at run time, tasks of one batch can be staggered by their
  dependencies, and a pilot smaller than the peak only makes tasks wait.
* **RAPTOR** (function tasks): one core for the master, plus workers wide
  enough for the widest batch's function tasks: ``cores_per_worker`` is that
  width capped at one node minus the master's core, and ``workers`` as many as
  it takes.  The workers hold their cores for the whole pilot, so their cores
  are added to the executable peak rather than overlapping it.
* **GPUs**: the widest batch's ``ranks * gpus_per_rank``.
* **Nodes**: cores and GPUs rounded up to whole nodes of the target machine,
  and never fewer than the widest single task needs.  RP's ``local.*``
  resources always get their one (fake, oversubscribed) node whatever is
  asked, and without a known machine nothing can be rounded: both ask for
  the cores needed, not nodes.
* **Walltime**: the critical path (per-task ``timeout``, else
  :data:`.plan.ASSUMED_TASK_SECONDS`), times :data:`SAFETY`, plus
  :data:`STARTUP_SECONDS` for the agent and RAPTOR to start, in whole
  minutes, at least :data:`MIN_PILOT_MINUTES`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..compiler.machines import Machine
from ..ir import Node, Workflow
from .plan import TASK_KINDS, batches, cores, estimates, gpus

MIN_PILOT_MINUTES = 10
STARTUP_SECONDS = 300
SAFETY = 1.25


@dataclasses.dataclass(frozen=True, slots=True)
class PilotSize:
    executable_cores: int  # widest batch, executable tasks
    function_cores: int  # widest batch, function tasks (run inside RAPTOR workers)
    gpus: int
    workers: int
    cores_per_worker: int
    widest_task_nodes: int
    critical_seconds: float

    @property
    def raptor_cores(self) -> int:
        return 1 + self.workers * self.cores_per_worker if self.workers else 0

    @property
    def cores(self) -> int:
        return max(1, self.executable_cores + self.raptor_cores)

    @property
    def runtime(self) -> int:
        seconds = self.critical_seconds * SAFETY + STARTUP_SECONDS
        return max(MIN_PILOT_MINUTES, math.ceil(seconds / 60))

    def nodes(self, machine: Machine) -> int:
        if machine.local:
            return 1
        need = [math.ceil(self.cores / machine.cores_per_node), self.widest_task_nodes]
        if machine.gpus_per_node:
            need.append(math.ceil(self.gpus / machine.gpus_per_node))
        return max(1, *need)


def size(wf: Workflow, machine: Machine | None) -> PilotSize:
    by_id = {n.id: n for n in wf.nodes}
    groups = [[by_id[i] for i in g if by_id[i].kind in TASK_KINDS] for g in batches(wf)]
    exe = max((_sum(g, "executable", cores) for g in groups), default=0)
    fun = max((_sum(g, "function", cores) for g in groups), default=0)
    width = max(1, (machine.cores_per_node - 1) if machine else fun) or 1
    per_worker = min(fun, width)
    workers = math.ceil(fun / per_worker) if per_worker else 0
    cpn = machine.cores_per_node if machine else 0
    widest = max((math.ceil(cores(n) / cpn) for g in groups for n in g), default=1) if cpn else 1
    critical = estimates(wf, batches(wf))["critical_path"]["seconds"]
    return PilotSize(exe, fun, max((sum(gpus(n) for n in g) for g in groups), default=0),
                     workers, per_worker, widest, float(critical))


def _sum(group: list[Node], kind: str, measure: Any) -> int:
    return sum(measure(n) for n in group if n.kind == kind)


def pilot_description(wf: Workflow, label: str, machine: Machine | None,
                      given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(PilotDescription, sizing facts)``; keys the module's pilot gives win."""
    sized = size(wf, machine)
    pilot: dict[str, Any] = {"resource": label, "cores": sized.cores, "gpus": sized.gpus,
                             "runtime": sized.runtime}
    if machine is not None and not machine.local:
        nodes = sized.nodes(machine)
        user_nodes = machine.pilot_nodes(given)
        if any(k in given for k in ("nodes", "cores", "gpus")) and user_nodes:
            nodes = user_nodes
        pilot.update(nodes=nodes, cores=nodes * machine.cores_per_node,
                     gpus=nodes * machine.gpus_per_node)
    rounded = "nodes" in pilot
    pilot.update({k: v for k, v in given.items() if k not in ("nodes", "cores", "gpus")
                  or not rounded})
    facts = {
        "executable_cores": sized.executable_cores,
        "function_cores": sized.function_cores,
        "raptor_cores": sized.raptor_cores,
        "cores_needed": sized.cores,
        "gpus_needed": sized.gpus,
        "critical_path_seconds": sized.critical_seconds,
        "startup_seconds": STARTUP_SECONDS,
        "cores_per_node": machine.cores_per_node if machine else None,
        "gpus_per_node": machine.gpus_per_node if machine else None,
    }
    raptor = {"workers": sized.workers, "cores_per_worker": sized.cores_per_worker} \
        if sized.workers else None
    return pilot, {"sizing": facts, "raptor": raptor}
