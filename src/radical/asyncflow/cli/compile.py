"""``raf compile PATH``: the workflow graph as canonical JSON on stdout."""

from __future__ import annotations

import click

from ..compiler.render import render_text
from ..ir import dumps, workflow_to_json
from .common import compile_one, exit_code, limit_options, source_lines


@click.command("compile")
@click.argument("path", type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True,
              help="Output format.")
@click.option("--strict", is_flag=True, help="Treat RAF4xx (dynamic regions) as errors.")
@click.option("--trace", is_flag=True, help="Build the graph by EXECUTING the module with a "
              "recording dry-run engine (task bodies never run).")
@limit_options
def compile_cmd(path: str, fmt: str, strict: bool, trace: bool, max_nodes: int, max_bytes: int,
                max_lines: int) -> None:
    """Compile a workflow module to its graph (JSON on stdout). Exit 1 on errors."""
    if trace:
        from ..trace import trace_path

        workflow = trace_path(path, strict=strict)
    else:
        workflow = compile_one(path, strict, max_nodes, max_bytes, max_lines)
    click.echo(dumps(workflow_to_json(workflow)), nl=False)
    if workflow.diagnostics:
        click.echo(render_text(list(workflow.diagnostics), source_lines), err=True, nl=False)
    raise SystemExit(exit_code(workflow.diagnostics))
