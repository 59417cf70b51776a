"""``raf check PATH...``: diagnostics for one or more workflow modules."""

from __future__ import annotations

import click

from ..compiler.diagnostics import ordered
from ..compiler.render import render
from ..ir import Diagnostic
from .common import (
    compile_one,
    exit_code,
    limit_options,
    load_machine,
    source_lines,
    target_options,
)


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Treat what cannot be decided statically "
              "(RAF4xx) as errors.")
@target_options
@limit_options
def check(paths: tuple[str, ...], fmt: str, strict: bool, resource: str | None,
          machine_file: str | None, max_nodes: int, max_bytes: int, max_lines: int) -> None:
    """Check workflow modules without running them. Exit 1 on errors.

    Resource checks (RAF503-509) run when a target is known: --machine, --resource,
    or the resource of the module's RadicalExecutionBackend({...}).
    """
    diags: list[Diagnostic] = []
    machine = load_machine(machine_file)
    for path in paths:
        diags.extend(compile_one(path, strict, max_nodes, max_bytes, max_lines, resource,
                                 machine).diagnostics)
    diags = ordered(diags)
    click.echo(render(diags, fmt, source_lines), nl=False)
    raise SystemExit(exit_code(diags))
