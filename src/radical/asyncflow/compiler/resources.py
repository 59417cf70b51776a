"""RAF503-RAF509: the workload against the target machine and pilot, before submission.

Runs only when a target is known (:func:`.machines.resolve_target`): ``--machine
FILE``, ``--resource LABEL``, or the ``resource`` of the module's own
``RadicalExecutionBackend({...})`` literal.  Pure: finalized nodes + target ->
diagnostics.  Each task is judged by its constant ``task_description``
(RAF501/RAF502 already cover the rest): ``ranks``, ``cores_per_rank``,
``gpus_per_rank``, ``mem_per_rank`` (MB) and ``use_mpi`` (RP's default: True
when ``ranks > 1``).  Tasks routed by ``backend=`` to a backend other than the
Radical.Pilot one are not judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..ir import Diagnostic, Node, Span, Workflow
from .diagnostics import make
from .machines import Machine, Target

TASK_KINDS = ("function", "executable")


def check_resources(path: str, nodes: Sequence[Node], target: Target,
                    file_span: Span) -> list[Diagnostic]:
    where = target.decl.span if target.decl is not None else file_span
    if target.unknown:
        return [make("RAF503", where, label=target.label, suggestion=target.suggestion())]
    machine = target.machine
    if machine is None:
        return []
    name = target.decl.name if target.decl is not None else None
    tasks = [n for n in nodes if n.kind in TASK_KINDS and n.backend in (None, name)]
    found: list[Diagnostic] = []
    pilot_nodes = machine.pilot_nodes(target.pilot) if target.pilot else None
    for node in tasks:
        found.extend(_node_checks(node, machine))
        found.extend(_allocation_checks(node, machine, pilot_nodes))
    if pilot_nodes and target.decl is not None:
        found.extend(_batch_check(path, nodes, machine, pilot_nodes, target.decl.span))
    return found


def _shape(res: Mapping[str, Any]) -> tuple[int, int, float, float, bool]:
    ranks, cpr = _num(res.get("ranks"), 1), _num(res.get("cores_per_rank"), 1)
    gpr, mem = _num(res.get("gpus_per_rank"), 0), _num(res.get("mem_per_rank"), 0)
    use_mpi = res.get("use_mpi")
    mpi = bool(use_mpi) if isinstance(use_mpi, bool) else ranks > 1
    return int(ranks), int(cpr), gpr, mem, mpi


def _node_checks(node: Node, machine: Machine) -> list[Diagnostic]:
    ranks, cpr, gpr, mem, mpi = _shape(node.resources)
    out = []
    label, cpn = machine.label, machine.cores_per_node
    if cpr > cpn:
        out.append(make("RAF504", node.span, name=node.name, label=label, cpn=cpn,
                        need=f"one rank needs {cpr} cores (cores_per_rank)"))
    elif not mpi and ranks * cpr > cpn:
        out.append(make("RAF504", node.span, name=node.name, label=label, cpn=cpn,
                        need=f"a non-MPI task needs all its {ranks * cpr} cores on one node"))
    if mpi and ranks > 1 and not machine.mpi:
        out.append(make("RAF505", node.span, name=node.name, ranks=ranks, label=label))
    gpus_one_node = gpr if mpi else gpr * ranks
    if gpus_one_node > machine.gpus_per_node:
        out.append(make("RAF506", node.span, name=node.name, need=f"{gpus_one_node:g}",
                        label=label, gpn=machine.gpus_per_node))
    mem_one_node = mem if mpi else mem * ranks
    if machine.mem_per_node and mem_one_node > machine.mem_per_node:
        out.append(make("RAF507", node.span, name=node.name, need=f"{mem_one_node:g}",
                        label=label, mpn=machine.mem_per_node))
    return out


def _allocation_checks(node: Node, machine: Machine, pilot_nodes: int | None) -> list[Diagnostic]:
    limit, what = pilot_nodes, "the pilot"
    if limit is None or (machine.nodes is not None and machine.nodes < limit):
        limit, what = machine.nodes, f"machine {machine.label}"
    if limit is None:
        return []
    ranks, cpr, gpr, _, _ = _shape(node.resources)
    have_cores, have_gpus = limit * machine.cores_per_node, limit * machine.gpus_per_node
    problems = []
    if ranks * cpr > have_cores:
        problems.append(f"{ranks * cpr} cores, {what} has {have_cores}")
    if ranks * gpr > have_gpus and gpr <= machine.gpus_per_node:
        problems.append(f"{ranks * gpr:g} GPUs, {what} has {have_gpus}")
    if not problems:
        return []
    return [make("RAF508", node.span, name=node.name, detail="; ".join(problems),
                 nodes=limit, label=machine.label)]


def _batch_check(path: str, nodes: Sequence[Node], machine: Machine, pilot_nodes: int,
                 span: Span) -> list[Diagnostic]:
    from ..codegen.sizing import size

    sized = size(Workflow(path, "", "static", tuple(nodes)), machine)
    have = pilot_nodes * machine.cores_per_node
    if sized.cores <= have:
        return []
    return [make("RAF509", span, need=sized.cores, have=have, raptor=sized.raptor_cores,
                 nodes=sized.nodes(machine))]


def _num(value: Any, default: float) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return value if ok else default
