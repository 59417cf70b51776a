"""Inline SVG for the run report: the DAG coloured by final state, and a Gantt timeline.

No Graphviz and no JavaScript layout: the page must render offline and be the
same bytes for the same run.  The DAG layout is the simplest one that reads
well: a node's row is one more than the deepest of its dependencies and its
block (nodes are in creation order, so one pass suffices); inside a row,
nodes keep creation order.  Edges are cubic curves; block -> member links are
dotted; edges on the plan's critical path are red.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape

from .runview import NodeRun, RunView

COLORS = {
    "done": "#2ca02c", "cached": "#17becf", "skipped": "#bcbd22", "failed": "#d62728",
    "dep_failed": "#ff7f0e", "cancelled": "#9467bd", "running": "#1f77b4", "not run": "#c7c7c7",
}
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 180, 34, 18, 46, 16
LABEL_W, CHART_W, ROW_H = 280, 720, 18
MAX_LABEL = 26


def _rows(nodes: Sequence[NodeRun]) -> dict[str, int]:
    row: dict[str, int] = {}
    for node in nodes:
        deps = [*node.after, *([node.parent] if node.parent else [])]
        row[node.id] = 1 + max((row[d] for d in deps if d in row), default=-1)
    return row


def _positions(nodes: Sequence[NodeRun]) -> dict[str, tuple[float, float]]:
    rows = _rows(nodes)
    used: dict[int, int] = {}
    where: dict[str, tuple[float, float]] = {}
    for node in nodes:
        r = rows[node.id]
        col = used.get(r, 0)
        used[r] = col + 1
        where[node.id] = (MARGIN + col * (NODE_W + GAP_X), MARGIN + r * (NODE_H + GAP_Y))
    return where


def _label(node: NodeRun) -> str:
    text = node.id.rsplit("/", 1)[-1]
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _tail(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def _tooltip(node: NodeRun) -> str:
    took = f", {node.seconds:.3f} s" if node.seconds is not None else ""
    extra = f"\n{node.error[:500]}" if node.error else ""
    return f"{node.id} [{node.kind}]: {node.state}{took}{extra}"


def dag_svg(view: RunView) -> str:
    nodes = view.nodes
    where = _positions(nodes)
    width = max((x for x, _ in where.values()), default=0) + NODE_W + MARGIN
    height = max((y for _, y in where.values()), default=0) + NODE_H + MARGIN
    hot = set(itertools.pairwise(view.critical))
    out = [f'<svg id="dag" role="img" aria-label="workflow graph" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker>'
           '</defs>']
    for node in nodes:
        for dep in node.after:
            if dep in where:
                cls = "edge critical" if (dep, node.id) in hot else "edge"
                out.append(_curve(where[dep], where[node.id], cls))
        if node.parent is not None and node.parent in where:
            hot_member = " critical" if (node.parent, node.id) in hot else ""
            out.append(_curve(where[node.parent], where[node.id], "edge member" + hot_member))
    for i, node in enumerate(nodes):
        x, y = where[node.id]
        shape = f"kind-{node.kind}" + ("" if node.planned else " unplanned")
        out.append(
            f'<g class="node {shape}" id="n{i}" data-id="{escape(node.id)}" '
            f'data-state="{escape(node.state)}"><title>{escape(_tooltip(node))}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" '
            f'fill="{COLORS.get(node.state, "#c7c7c7")}"/>'
            f'<text x="{x + NODE_W / 2:.0f}" y="{y + NODE_H / 2 + 4:.0f}">'
            f'{escape(_label(node))}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _curve(a: tuple[float, float], b: tuple[float, float], cls: str) -> str:
    x1, y1 = a[0] + NODE_W / 2, a[1] + NODE_H
    x2, y2 = b[0] + NODE_W / 2, b[1]
    bend = max(20.0, (y2 - y1) / 2)
    return (f'<path class="{cls}" d="M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + bend:.0f} '
            f'{x2:.0f},{y2 - bend:.0f} {x2:.0f},{y2:.0f}" marker-end="url(#arrow)"/>')


def gantt_svg(view: RunView) -> str:
    """One row per node that started, ordered by start time; waiting time drawn pale."""
    rows = sorted((n for n in view.nodes if n.started is not None),
                  key=lambda n: (n.started or 0.0, n.id))
    index = {n.id: i for i, n in enumerate(view.nodes)}
    span = max([view.seconds, *(n.finished or 0.0 for n in rows)]) or 1e-9
    scale = CHART_W / span
    height = MARGIN * 2 + 20 + len(rows) * ROW_H
    out = [f'<svg id="gantt" role="img" aria-label="timeline" width="{LABEL_W + CHART_W + 40}" '
           f'height="{height}" viewBox="0 0 {LABEL_W + CHART_W + 40} {height}">']
    out += _axis(span, scale, height)
    for r, node in enumerate(rows):
        y = MARGIN + 20 + r * ROW_H
        begin = node.started or 0.0
        end = node.finished if node.finished is not None else view.seconds
        color = COLORS.get(node.state, "#c7c7c7")
        out.append(f'<g class="row" data-node="n{index[node.id]}" '
                   f'data-state="{escape(node.state)}"><title>{escape(_tooltip(node))}</title>'
                   f'<text class="rowlabel" x="{LABEL_W - 6}" y="{y + 13}">'
                   f'{escape(_tail(node.id))}</text>')
        if node.queued is not None and node.queued < begin:
            out.append(_bar(node.queued, begin, y, scale, color, "wait"))
        out.append(_bar(begin, end, y, scale, color, "bar") + "</g>")
    out.append("</svg>")
    return "\n".join(out)


def _bar(t0: float, t1: float, y: float, scale: float, color: str, cls: str) -> str:
    width = max(2.0, (t1 - t0) * scale)
    return (f'<rect class="{cls}" x="{LABEL_W + t0 * scale:.1f}" y="{y + 2}" '
            f'width="{width:.1f}" height="{ROW_H - 4}" fill="{color}"/>')


def _axis(span: float, scale: float, height: int) -> list[str]:
    out = []
    for k in range(6):
        t = span * k / 5
        x = LABEL_W + t * scale
        out.append(f'<line class="tick" x1="{x:.1f}" y1="{MARGIN + 14}" x2="{x:.1f}" '
                   f'y2="{height - MARGIN}"/>')
        out.append(f'<text class="ticklabel" x="{x:.1f}" y="{MARGIN + 8}">{t:.3g} s</text>')
    return out
