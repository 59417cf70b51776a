"""The backend-neutral part of ``plan.json``: graph, batches and estimates.

Ordering rule used everywhere (batches, critical path, the local order): the
dependency edges of the IR **plus** an edge from each block to the tasks its
body creates (a member cannot start before its block does).  Inside a batch,
ids keep the IR's creation order, so the output is deterministic.

Estimates are deliberately simple and say what they assume: a task lasts
``timeout`` seconds when it has one, else :data:`ASSUMED_TASK_SECONDS`; it uses
``ranks * cores_per_rank`` cores (default 1) and ``ranks * gpus_per_rank``
GPUs.  Blocks and dynamic regions run on the engine and use no cores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ..ir import Node, Workflow, workflow_to_json

PLAN_SCHEMA = "radical.asyncflow.plan/1"
BACKENDS = ("local", "dask", "radical.pilot")
ASSUMED_TASK_SECONDS = 60
TASK_KINDS = ("function", "executable")


def ordering_graph(wf: Workflow) -> nx.DiGraph:
    """IR edges, block -> member, and member -> every dependent of its block(s)."""
    graph: nx.DiGraph = nx.DiGraph()
    members: dict[str, list[str]] = {}
    parents = {n.id: n.parent for n in wf.nodes}
    for node in wf.nodes:
        graph.add_node(node.id)
        parent = node.parent
        while parent is not None:  # creation order: ancestors are already known
            members.setdefault(parent, []).append(node.id)
            parent = parents.get(parent)
    for node in wf.nodes:
        for dep in node.after:
            graph.add_edge(dep, node.id)
            for member in members.get(dep, ()):
                graph.add_edge(member, node.id)
        if node.parent is not None:
            graph.add_edge(node.parent, node.id)
    return graph


def batches(wf: Workflow) -> list[list[str]]:
    """Topological generations, ids in creation order inside each."""
    position = {n.id: i for i, n in enumerate(wf.nodes)}
    generations = nx.topological_generations(ordering_graph(wf))
    return [sorted(g, key=position.__getitem__) for g in generations]


def order(wf: Workflow) -> list[str]:
    position = {n.id: i for i, n in enumerate(wf.nodes)}
    return list(nx.lexicographical_topological_sort(ordering_graph(wf), key=position.__getitem__))


def cores(node: Node) -> int:
    res = node.resources
    return _int(res.get("ranks"), 1) * _int(res.get("cores_per_rank"), 1)


def gpus(node: Node) -> int:
    res = node.resources
    return _int(res.get("ranks"), 1) * _int(res.get("gpus_per_rank"), 0)


def seconds(node: Node) -> float:
    timeout = node.options.get("timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
        return float(timeout)
    return float(ASSUMED_TASK_SECONDS)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else default


def estimates(wf: Workflow, groups: list[list[str]]) -> dict[str, Any]:
    by_id = {n.id: n for n in wf.nodes}
    tasks = [n for n in wf.nodes if n.kind in TASK_KINDS]
    kinds = {k: sum(1 for n in wf.nodes if n.kind == k) for k in
             ("function", "executable", "block", "dynamic")}
    width = max((sum(1 for i in g if by_id[i].kind in TASK_KINDS) for g in groups), default=0)
    path = _critical_path(wf, by_id)
    core_seconds = sum(cores(n) * seconds(n) for n in tasks)
    return {
        "nodes": len(wf.nodes),
        "edges": len(wf.edges()),
        "kinds": kinds,
        "width": width,
        "batches": len(groups),
        "critical_path": {"length": len(path), "nodes": path,
                          "seconds": sum(seconds(by_id[i]) for i in path
                                         if by_id[i].kind in TASK_KINDS)},
        "peak_cores": max((sum(cores(by_id[i]) for i in g if by_id[i].kind in TASK_KINDS)
                           for g in groups), default=0),
        "peak_gpus": max((sum(gpus(by_id[i]) for i in g if by_id[i].kind in TASK_KINDS)
                          for g in groups), default=0),
        "core_hours": math.ceil(core_seconds / 3600 * 1000) / 1000,
        "assumed_task_seconds": ASSUMED_TASK_SECONDS,
    }


def _critical_path(wf: Workflow, by_id: Mapping[str, Node]) -> list[str]:
    graph = ordering_graph(wf)
    if graph.number_of_nodes() == 0:
        return []
    for dep, node in graph.edges:
        graph.edges[dep, node]["w"] = seconds(by_id[node]) if by_id[node].kind in TASK_KINDS \
            else 0.0
    topo = order(wf)
    longest = nx.dag_longest_path(graph, weight="w", topo_order=topo)
    return list(longest) if len(longest) > 1 else topo[:1]


def plan_document(wf: Workflow, backend: str, source: dict[str, Any],
                  tasks: dict[str, Any], section: dict[str, Any],
                  module_reasons: list[str]) -> dict[str, Any]:
    """The whole plan (see docs/plan-schema.md); ``module_reasons``: see :func:`plan_mode`."""
    ir = workflow_to_json(wf)
    groups = batches(wf)
    mode = plan_mode(wf, module_reasons)
    declared: dict[str, Any] = {}
    for decl in wf.backends:  # the first declaration of a name wins
        declared.setdefault(decl.name or "default", decl.to_json())
    document: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "backend": backend,
        "backends": declared,
        "mode": mode,
        "source": source,
        "tasks": tasks,
        "nodes": ir["nodes"],
        "edges": ir["edges"],
        "diagnostics": ir["diagnostics"],
        "batches": groups,
        "estimates": estimates(wf, groups),
        backend: section,
    }
    if mode == "module":
        document["module_reasons"] = module_reasons
    return document


def plan_mode(wf: Workflow, module_reasons: list[str]) -> str:
    """``static``: the nodes alone; ``regions``: plus the code of its dynamic regions;
    ``module``: only running the module can execute it (``module_reasons`` say why)."""
    if module_reasons:
        return "module"
    return "regions" if any(n.kind == "dynamic" for n in wf.nodes) else "static"


def module_reasons(wf: Workflow) -> list[str]:
    """Why the plan cannot run without its module's workflow body (empty: it can).

    A top-level node whose argument only the workflow body computes, and a
    dynamic region that cannot run alone (``compiler.regions``), or whose
    header's tasks other nodes also use.
    """
    from ..ir.values import RUNTIME, has_tag

    reasons: list[str] = []
    absorbed: dict[str, str] = {}
    for node in wf.nodes:
        if node.kind == "dynamic" and node.region is not None:
            for nid in node.region.get("absorbs", ()):
                absorbed[nid] = node.id
    for node in wf.nodes:
        where = f"{node.id} (line {node.span.line})"
        if node.kind == "dynamic":
            region = node.region or {"unsupported": "the compiler did not describe it"}
            if "unsupported" in region:
                reasons.append(f"{where}: {region['unsupported']}")
        elif node.parent is None and has_tag(list(node.args) + list(node.kwargs.values()),
                                              (RUNTIME, "$object")):
            reasons.append(f"{where}: an argument only the workflow body computes")
        users = {d for d in node.after if d in absorbed and absorbed[d] != node.id}
        if users and node.id not in absorbed:
            dep = sorted(users)[0]
            reasons.append(f"{where}: it uses {dep}, which the region {absorbed[dep]} "
                           "calls again at run time")
    return reasons

