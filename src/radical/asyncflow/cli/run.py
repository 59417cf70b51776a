"""``raf run DIR|PATH``: execute a plan and check the run against it.

``DIR`` is a plan directory written by ``raf compile -o DIR``.  ``PATH`` (a
``.py`` module) is compiled first into ``--plan-dir`` (default
``.raf/<module name>``), so runs and ``--resume`` work the same way.
Exit 0 only for a successful, conforming run; 1 otherwise; 130 on Ctrl-C.
"""

from __future__ import annotations

import os

import click

from ..compiler.machines import resolve_target
from ..runtime.plan_runner import POLICIES, PlanError, RunOptions, load_plan, run_plan
from .app import EXIT_FINDINGS
from .common import compile_one, exit_code
from .plans import BACKEND_CHOICE, build_plan


@click.command("run")
@click.argument("target", type=click.Path(exists=True))
@click.option("--backend", type=BACKEND_CHOICE, default=None,
              help="Run on this backend (default: the plan's).")
@click.option("--resume", is_flag=True,
              help="Reuse nodes finished in earlier runs with the same fingerprint.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Worker count.")
@click.option("--on-failure", type=click.Choice(list(POLICIES)), default="continue",
              show_default=True, help="continue: independent branches go on; finish: start "
              "nothing new; terminate: cancel everything.")
@click.option("--plan-dir", type=click.Path(file_okay=False), default=None,
              help="Where to compile PATH (default .raf/<module name>).")
@click.option("--resource", default=None, metavar="LABEL",
              help="radical.pilot: run the pilot on this resource instead of the plan's "
              "(e.g. local.localhost to try a site's plan here; the plan's sizes are dropped).")
def run(target: str, backend: str | None, resume: bool, workers: int | None, on_failure: str,
        plan_dir: str | None, resource: str | None) -> None:
    """Run a compiled plan (or a module, compiled on the fly) and check it conforms."""
    if os.path.isdir(target):
        plan_dir = target
    else:
        plan_dir = plan_dir or os.path.join(".raf", _stem(target))
        workflow = compile_one(target, False, 100_000, 2_000_000, 20_000)
        if workflow.has_errors:
            from ..compiler.render import render_text
            from .common import source_lines

            click.echo(render_text(list(workflow.diagnostics), source_lines), err=True, nl=False)
            raise SystemExit(exit_code(workflow.diagnostics))
        pilot_target = resolve_target(workflow.pilots, resource)
        plan, code = build_plan(workflow, target, backend or "local", plan_dir, pilot_target)
        if plan is None:
            raise SystemExit(code)
    try:
        plan = load_plan(plan_dir)
        options = RunOptions(backend, resume, workers, on_failure, resource)
        raise SystemExit(run_plan(plan, plan_dir, options))
    except PlanError as exc:
        click.echo(f"raf: {exc}", err=True)
        raise SystemExit(EXIT_FINDINGS) from None


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0] or "module"
