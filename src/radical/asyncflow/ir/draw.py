"""Pictures of a workflow: an indented tree, Graphviz DOT and Mermaid text.

Blocks are drawn as clusters (DOT) or subgraphs (Mermaid) holding the nodes
their bodies create; dynamic regions are dashed and carry their reason.  Every
drawing takes the critical path to show (``path``; the longest chain by node
count when not given) and, with ``highlight=True``, marks its nodes and edges.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence

from .graph import critical_path
from .model import Node, Workflow

CRITICAL_COLOR = "#d62728"


def _children(wf: Workflow) -> dict[str | None, list[Node]]:
    kids: dict[str | None, list[Node]] = {}
    for node in wf.nodes:
        kids.setdefault(node.parent, []).append(node)
    return kids


def _path_edges(path: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(path))


def tree(wf: Workflow, path: Sequence[str] | None = None, highlight: bool = False) -> str:
    """Indented tree by block nesting; each line shows kind and dependencies."""
    edges = sum(len(n.after) for n in wf.nodes)
    path = critical_path(wf) if path is None else list(path)
    marked = set(path) if highlight else set()
    lines = [f"{wf.path}: {len(wf.nodes)} nodes, {edges} edges, critical path {len(path)}"]
    kids = _children(wf)
    stack: list[tuple[Node, str, bool]] = [(n, "", i == len(kids.get(None, [])) - 1)
                                           for i, n in enumerate(kids.get(None, []))][::-1]
    while stack:
        node, indent, last = stack.pop()
        star = "* " if node.id in marked else ""
        lines.append(indent + ("└── " if last else "├── ") + star + _label(node))
        inner = kids.get(node.id, [])
        child_indent = indent + ("    " if last else "│   ")
        stack.extend([(c, child_indent, i == len(inner) - 1) for i, c in enumerate(inner)][::-1])
    if path:
        lines.append(("critical path (*): " if highlight else "critical path: ")
                     + " -> ".join(path))
    return "\n".join(lines) + "\n"


def _label(node: Node) -> str:
    text = f"{node.id}  [{node.kind}]"
    if node.after:
        text += "  after " + ", ".join(node.after)
    if node.kind == "dynamic" and node.reason:
        text += f"  ({node.reason})"
    return text


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def dot(wf: Workflow, path: Sequence[str] | None = None, highlight: bool = False) -> str:
    """Graphviz DOT; blocks are clusters, dynamic regions dashed octagons."""
    shape = {"function": "box", "executable": "box", "block": "box3d", "dynamic": "octagon"}
    kids = _children(wf)
    path = critical_path(wf) if path is None else list(path)
    marked = set(path) if highlight else set()
    hot = _path_edges(path) if highlight else set()
    red = f",color={_q(CRITICAL_COLOR)},penwidth=2.5"
    out = ["digraph workflow {", "  rankdir=TB;", "  graph [fontname=\"Helvetica\"];",
           "  node [fontname=\"Helvetica\"];"]

    def emit(parent: str | None, indent: str) -> None:
        for node in kids.get(parent, []):
            style = ""
            if node.kind == "dynamic":
                style = f",style=dashed,tooltip={_q(node.reason or 'dynamic region')}"
            if node.id in marked:
                style += red
            line = f"{_q(node.id)} [label={_q(node.name)},shape={shape[node.kind]}{style}];"
            if node.id not in kids:
                out.append(indent + line)
                continue
            out.append(f"{indent}subgraph {_q('cluster_' + node.id)} {{")
            out.append(f"{indent}  label={_q(node.id)};")
            out.append(f"{indent}  {line}")
            emit(node.id, indent + "  ")
            out.append(f"{indent}}}")

    emit(None, "  ")
    out.extend(f"  {_q(a)} -> {_q(b)}" + (f" [{red[1:]}]" if (a, b) in hot else "") + ";"
               for a, b in wf.edges())
    out.append("}")
    return "\n".join(out) + "\n"


def mermaid(wf: Workflow, path: Sequence[str] | None = None, highlight: bool = False) -> str:
    """Mermaid flowchart; blocks with members are subgraphs, ids are numbered.

    Labels carry the readable ids; dynamic regions are dashed hexagons.
    """
    index = {n.id: f"n{i}" for i, n in enumerate(wf.nodes)}
    kids = _children(wf)
    out = ["flowchart TD"]

    def emit(parent: str | None, indent: str) -> None:
        for node in kids.get(parent, []):
            label = node.id.replace('"', "'")
            if node.id in kids:
                out.append(f"{indent}subgraph {index[node.id]} [\"{label}\"]")
                emit(node.id, indent + "  ")
                out.append(f"{indent}end")
                continue
            left, right = {"dynamic": ("{{", "}}"), "block": ("[[", "]]")}.get(node.kind,
                                                                                ("[", "]"))
            out.append(f"{indent}{index[node.id]}{left}\"{label}\"{right}")

    emit(None, "  ")
    edges = wf.edges()
    out.extend(f"  {index[a]} --> {index[b]}" for a, b in edges)
    dynamic = [index[n.id] for n in wf.nodes if n.kind == "dynamic"]
    if dynamic:
        out.append("  classDef dynamic stroke-dasharray: 5 5")
        out.append(f"  class {','.join(dynamic)} dynamic")
    if highlight:
        out.extend(_mermaid_critical(wf, index, edges, path))
    return "\n".join(out) + "\n"


def _mermaid_critical(wf: Workflow, index: dict[str, str], edges: list[tuple[str, str]],
                      path: Sequence[str] | None) -> list[str]:
    path = critical_path(wf) if path is None else list(path)
    if not path:
        return []
    style = f"stroke:{CRITICAL_COLOR},stroke-width:3px"
    out = [f"  classDef critical {style}",
           f"  class {','.join(index[i] for i in path)} critical"]
    hot = _path_edges(path)
    links = [str(k) for k, edge in enumerate(edges) if edge in hot]
    if links:
        out.append(f"  linkStyle {','.join(links)} {style}")
    return out
