"""The networkx view of a workflow, built once, and iterative graph helpers."""

from __future__ import annotations

import networkx as nx

from .model import Workflow


def to_networkx(wf: Workflow) -> nx.DiGraph:
    """A DiGraph with one vertex per node (attribute ``node``) and dependency edges."""
    graph: nx.DiGraph = nx.DiGraph()
    for node in wf.nodes:
        graph.add_node(node.id, node=node)
    for node in wf.nodes:
        for dep in node.after:
            graph.add_edge(dep, node.id)
    return graph


def topological_order(wf: Workflow) -> list[str]:
    """Ids in a deterministic topological order (ties broken by creation order)."""
    position = {n.id: i for i, n in enumerate(wf.nodes)}
    return list(nx.lexicographical_topological_sort(to_networkx(wf), key=position.__getitem__))


def critical_path(wf: Workflow) -> list[str]:
    """The longest dependency chain (every node counts 1)."""
    graph = to_networkx(wf)
    if graph.number_of_nodes() == 0:
        return []
    return list(nx.dag_longest_path(graph, topo_order=topological_order(wf)))
