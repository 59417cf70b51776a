"""``raf show PATH|DIR``: the graph of a module or plan as a tree, DOT, Mermaid, SVG or PNG."""

from __future__ import annotations

import sys

import click

from ..compiler.render import render_text
from ..ir.draw import dot, mermaid, tree
from ..ux.critical import critical
from ..ux.image import GraphvizMissing, render_image
from .app import EXIT_USAGE
from .common import exit_code, limit_options, source_lines
from .subjects import load_subject, options

_TEXT = {"tree": tree, "dot": dot, "mermaid": mermaid}


@click.command("show")
@click.argument("path", type=click.Path(dir_okay=True))
@click.option("--tree", "style", flag_value="tree", default=True, help="Indented tree (default).")
@click.option("--dot", "style", flag_value="dot", help="Graphviz DOT.")
@click.option("--mermaid", "style", flag_value="mermaid", help="Mermaid flowchart.")
@click.option("--svg", "style", flag_value="svg", help="SVG picture (needs Graphviz `dot`).")
@click.option("--png", "style", flag_value="png", help="PNG picture (needs Graphviz `dot`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout.")
@click.option("--critical-path", "highlight", is_flag=True,
              help="Highlight the critical path (by estimates for a plan, else by node count).")
@click.option("--strict", is_flag=True, help="Treat RAF4xx (dynamic regions) as errors.")
@limit_options
def show(path: str, style: str, output: str | None, highlight: bool, strict: bool,
         max_nodes: int, max_bytes: int, max_lines: int) -> None:
    """Show the graph of a workflow module (compiled statically) or of a plan directory."""
    if style == "png" and output is None and sys.stdout.isatty():
        raise click.UsageError("--png writes binary data: give -o FILE (or redirect stdout)")
    subject = load_subject(path, options(strict, max_nodes, max_bytes, max_lines))
    workflow = subject.workflow
    drawing = _TEXT["dot" if style in ("svg", "png") else style]
    text = drawing(workflow, critical(subject), highlight)
    if style in ("svg", "png"):
        try:
            _emit(render_image(text, style), output)
        except GraphvizMissing as exc:
            click.echo(f"raf: {exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None
    else:
        _emit(text.encode(), output)
    if workflow.diagnostics:
        click.echo(render_text(list(workflow.diagnostics), source_lines), err=True, nl=False)
    raise SystemExit(exit_code(workflow.diagnostics))


def _emit(data: bytes, output: str | None) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        with open(output, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        click.echo(f"raf: cannot write {output}: {exc.strerror}", err=True)
        raise SystemExit(EXIT_USAGE) from None
