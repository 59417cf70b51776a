"""``raf compile PATH``: the workflow graph as canonical JSON, or a plan directory.

Without ``-o`` the IR JSON (``radical.asyncflow.compile/1``) goes to stdout;
with ``--backend`` alone, ``plan.json`` does.  With ``-o DIR`` the plan
directory is written (see docs/plan-schema.md) and nothing goes to stdout.
"""

from __future__ import annotations

import click

from ..compiler.machines import Target, resolve_target
from ..compiler.render import render_text
from ..ir import Workflow, dumps, workflow_to_json
from .common import (
    compile_one,
    exit_code,
    limit_options,
    load_machine,
    source_lines,
    target_options,
)
from .plans import BACKEND_CHOICE, build_plan


@click.command("compile")
@click.argument("path", type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True,
              help="Output format.")
@click.option("--strict", is_flag=True, help="Treat RAF4xx (dynamic regions) as errors.")
@click.option("--trace", is_flag=True, help="Build the graph by EXECUTING the module with a "
              "recording dry-run engine (task bodies never run).")
@click.option("--backend", type=BACKEND_CHOICE, default=None,
              help="Emit a plan for this backend (plan.json; with -o the whole directory).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write the plan directory here (plan.json, tasks.py, launchers).")
@target_options
@limit_options
def compile_cmd(path: str, fmt: str, strict: bool, trace: bool, backend: str | None,
                out_dir: str | None, resource: str | None, machine_file: str | None,
                max_nodes: int, max_bytes: int, max_lines: int) -> None:
    """Compile a workflow module to its graph (JSON on stdout) or a plan. Exit 1 on errors."""
    if trace:
        if backend or out_dir:
            raise click.UsageError("--trace cannot be combined with --backend or -o")
        from ..trace import trace_path

        workflow = trace_path(path, strict=strict)
    else:
        machine = load_machine(machine_file)
        workflow = compile_one(path, strict, max_nodes, max_bytes, max_lines, resource, machine)
    if backend or out_dir:
        target = resolve_target(workflow.pilots, resource, load_machine(machine_file))
        _plan(workflow, path, backend or "local", out_dir, target)
        return
    click.echo(dumps(workflow_to_json(workflow)), nl=False)
    _report(workflow)
    raise SystemExit(exit_code(workflow.diagnostics))


def _report(workflow: Workflow) -> None:
    if workflow.diagnostics:
        click.echo(render_text(list(workflow.diagnostics), source_lines), err=True, nl=False)


def _plan(workflow: Workflow, path: str, backend: str, out_dir: str | None,
          target: Target | None) -> None:
    _report(workflow)
    if workflow.has_errors:
        raise SystemExit(exit_code(workflow.diagnostics))
    plan, code = build_plan(workflow, path, backend, out_dir, target)
    if plan is not None and out_dir is None:
        click.echo(dumps(plan), nl=False)
    raise SystemExit(code)
