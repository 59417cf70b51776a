"""``raf report``: one self-contained HTML page per run, and a short text summary.

The page inlines its CSS, SVG and a few lines of JavaScript (hovering a node
lights up its timeline row and back); it loads nothing from anywhere, so it
can be archived as a CI artifact or mailed.  Its elements have stable ids for
tests: ``#dag`` (nodes ``g.node[data-state]``), ``#gantt`` (rows ``g.row``),
``#legend``; the script sets ``data-ready="1"`` on ``<html>`` when it ran.
"""

from __future__ import annotations

from html import escape

from .runview import STATES, RunView
from .svg import COLORS, dag_svg, gantt_svg

REPORT_FILE = "report.html"
SLOWEST = 3

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;
color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#555}.scroll{overflow:auto;border:1px solid #ddd;border-radius:6px;padding:4px}
#legend span{display:inline-block;margin-right:14px}
#legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:4px;
vertical-align:-1px}
.node rect{stroke:#333;stroke-width:1}.node text{font-size:11px;text-anchor:middle;
fill:#111;pointer-events:none}
.kind-block rect{stroke-width:3;stroke-dasharray:8 3}.kind-dynamic rect{stroke-dasharray:4 3}
.unplanned rect{stroke:#000;stroke-dasharray:2 2}
.edge{fill:none;stroke:#888;stroke-width:1.2}.edge.member{stroke:#bbb;stroke-dasharray:2 3}
.edge.critical{stroke:#d62728;stroke-width:2.5}
.rowlabel{font-size:11px;text-anchor:end}.tick{stroke:#eee}.ticklabel{font-size:10px;
text-anchor:middle;fill:#666}.wait{opacity:.35}
.hl rect{stroke:#000;stroke-width:3}.hl .bar{stroke:#000;stroke-width:2}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;
vertical-align:top}pre{margin:0;white-space:pre-wrap}
"""

_JS = """
(function () {
  function link(el, on) {
    var id = el.getAttribute("data-node") || el.id;
    document.querySelectorAll('#' + id + ', [data-node="' + id + '"]')
      .forEach(function (x) { x.classList.toggle("hl", on); });
  }
  document.querySelectorAll("#dag .node, #gantt .row").forEach(function (el) {
    el.addEventListener("mouseenter", function () { link(el, true); });
    el.addEventListener("mouseleave", function () { link(el, false); });
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
"""


def counts_line(view: RunView) -> str:
    counts = view.counts()
    return ", ".join(f"{s} {counts[s]}" for s in STATES if counts.get(s))


def summary(view: RunView, written: str | None = None) -> str:
    """The few lines ``raf report`` prints."""
    lines = [f"run {view.run_dir}: {view.outcome} in {view.seconds:.2f} s "
             f"({view.backend}, {len(view.nodes)} nodes)", f"  {counts_line(view)}"]
    timed = sorted((n for n in view.nodes if n.seconds is not None),
                   key=lambda n: (-(n.seconds or 0.0), n.id))
    if timed:
        lines.append("  slowest: " + ", ".join(f"{n.id} {n.seconds:.2f} s"
                                               for n in timed[:SLOWEST]))
    lines += [f"  {n.state}: {n.id}: {n.error.splitlines()[0] if n.error else ''}".rstrip(": ")
              for n in view.nodes if n.state == "failed"]
    if written:
        lines.append(f"report: {written}")
    return "\n".join(lines) + "\n"


def html_page(view: RunView) -> str:
    title = f"raf report: {view.source or view.run_dir}"
    legend = "".join(f'<span><i style="background:{COLORS[s]}"></i>{escape(s)} {n}</span>'
                     for s, n in view.counts().items() if n)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta" id="summary">{escape(view.outcome)} in {view.seconds:.2f} s on '
        f"{escape(view.backend)}, {len(view.nodes)} nodes &middot; {escape(view.run_dir)}</p>",
        f'<p id="legend">{legend}</p>',
        '<h2>Graph</h2><div class="scroll">', dag_svg(view), "</div>",
        '<h2>Timeline</h2><div class="scroll">', gantt_svg(view), "</div>",
        _failures(view), f"<script>{_JS}</script>", "</body>", "</html>", ""])


def _failures(view: RunView) -> str:
    bad = [n for n in view.nodes if n.state in ("failed", "dep_failed", "cancelled")]
    if not bad:
        return ""
    rows = "".join(f"<tr><td>{escape(n.id)}</td><td>{escape(n.state)}</td>"
                   f"<td><pre>{escape(n.error)}</pre></td></tr>" for n in bad)
    return (f'<h2>Problems</h2><table id="problems"><tr><th>node</th><th>state</th>'
            f"<th>error</th></tr>{rows}</table>")
