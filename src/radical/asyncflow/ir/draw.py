"""Pictures of a workflow: an indented tree, Graphviz DOT and Mermaid text."""

from __future__ import annotations

import json

from .graph import critical_path
from .model import Node, Workflow


def _children(wf: Workflow) -> dict[str | None, list[Node]]:
    kids: dict[str | None, list[Node]] = {}
    for node in wf.nodes:
        kids.setdefault(node.parent, []).append(node)
    return kids


def tree(wf: Workflow) -> str:
    """Indented tree by block nesting; each line shows kind and dependencies."""
    edges = sum(len(n.after) for n in wf.nodes)
    path = critical_path(wf)
    lines = [f"{wf.path}: {len(wf.nodes)} nodes, {edges} edges, critical path {len(path)}"]
    kids = _children(wf)
    stack: list[tuple[Node, str, bool]] = [(n, "", i == len(kids.get(None, [])) - 1)
                                           for i, n in enumerate(kids.get(None, []))][::-1]
    while stack:
        node, indent, last = stack.pop()
        lines.append(indent + ("└── " if last else "├── ") + _label(node))
        inner = kids.get(node.id, [])
        child_indent = indent + ("    " if last else "│   ")
        stack.extend([(c, child_indent, i == len(inner) - 1) for i, c in enumerate(inner)][::-1])
    if path:
        lines.append("critical path: " + " -> ".join(path))
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


def dot(wf: Workflow) -> str:
    """Graphviz DOT; blocks are clusters, dynamic regions dashed."""
    shape = {"function": "box", "executable": "box", "block": "box3d", "dynamic": "octagon"}
    kids = _children(wf)
    out = ["digraph workflow {", "  rankdir=TB;", "  node [fontname=\"Helvetica\"];"]

    def emit(parent: str | None, indent: str) -> None:
        for node in kids.get(parent, []):
            style = ",style=dashed" if node.kind == "dynamic" else ""
            out.append(f"{indent}{_q(node.id)} [label={_q(node.name)},shape={shape[node.kind]}"
                       f"{style}];")
            if node.id in kids:
                out.append(f"{indent}subgraph {_q('cluster_' + node.id)} {{")
                out.append(f"{indent}  label={_q(node.id)};")
                emit(node.id, indent + "  ")
                out.append(f"{indent}}}")

    emit(None, "  ")
    out.extend(f"  {_q(a)} -> {_q(b)};" for a, b in wf.edges())
    out.append("}")
    return "\n".join(out) + "\n"


def mermaid(wf: Workflow) -> str:
    """Mermaid flowchart; node ids are numbered, labels carry the readable ids."""
    index = {n.id: f"n{i}" for i, n in enumerate(wf.nodes)}
    out = ["flowchart TD"]
    for node in wf.nodes:
        label = node.id.replace('"', "'")
        left, right = ("{{", "}}") if node.kind == "dynamic" else ("[", "]")
        if node.kind == "block":
            left, right = "[[", "]]"
        out.append(f"  {index[node.id]}{left}\"{label}\"{right}")
    out.extend(f"  {index[a]} --> {index[b]}" for a, b in wf.edges())
    return "\n".join(out) + "\n"
