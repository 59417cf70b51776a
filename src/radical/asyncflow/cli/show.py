"""``raf show PATH``: the workflow graph as a tree, Graphviz DOT or Mermaid."""

from __future__ import annotations

import click

from ..compiler.render import render_text
from ..ir.draw import dot, mermaid, tree
from .common import compile_one, exit_code, limit_options, source_lines


@click.command("show")
@click.argument("path", type=click.Path(dir_okay=True))
@click.option("--tree", "style", flag_value="tree", default=True, help="Indented tree (default).")
@click.option("--dot", "style", flag_value="dot", help="Graphviz DOT.")
@click.option("--mermaid", "style", flag_value="mermaid", help="Mermaid flowchart.")
@click.option("--strict", is_flag=True, help="Treat RAF4xx (dynamic regions) as errors.")
@limit_options
def show(path: str, style: str, strict: bool, max_nodes: int, max_bytes: int,
         max_lines: int) -> None:
    """Show the graph of a workflow module, compiled statically."""
    workflow = compile_one(path, strict, max_nodes, max_bytes, max_lines)
    drawing = {"tree": tree, "dot": dot, "mermaid": mermaid}[style]
    click.echo(drawing(workflow), nl=False)
    if workflow.diagnostics:
        click.echo(render_text(list(workflow.diagnostics), source_lines), err=True, nl=False)
    raise SystemExit(exit_code(workflow.diagnostics))
