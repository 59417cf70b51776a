"""Building a plan directory from the CLI (shared by ``raf compile -o`` and ``raf run PATH``)."""

from __future__ import annotations

import os
from typing import Any

import click

from ..codegen import BACKENDS, plan_files, write_plan_dir
from ..compiler.loader import Limits, LoadError, load
from ..compiler.machines import Target
from ..compiler.render import render_text
from ..ir import Workflow
from .app import EXIT_FINDINGS, EXIT_OK
from .common import source_lines

BACKEND_CHOICE = click.Choice(list(BACKENDS))


def build_plan(workflow: Workflow, path: str, backend: str, out_dir: str | None,
               target: Target | None = None) -> tuple[dict[str, Any] | None, int]:
    """Render (and with ``out_dir`` write) the plan; RAF701 findings are printed."""
    try:
        text = load(path, Limits()).text
    except LoadError as exc:
        click.echo(render_text([exc.diagnostic], source_lines), err=True, nl=False)
        return None, EXIT_FINDINGS
    where = out_dir or "."
    from_plan = os.path.relpath(os.path.abspath(path), os.path.abspath(where))
    result = plan_files(workflow, text, backend, from_plan.replace(os.sep, "/"), target)
    if result.diagnostics:
        click.echo(render_text(list(result.diagnostics), source_lines), err=True, nl=False)
        return None, EXIT_FINDINGS
    if out_dir is not None:
        write_plan_dir(out_dir, result.files)
        click.echo(f"raf: wrote {len(result.files)} files to {out_dir}", err=True)
    return result.plan, EXIT_OK
