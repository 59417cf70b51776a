"""``raf report RUNDIR``: a self-contained HTML page of one run, and a short summary.

RUNDIR is ``PLAN_DIR/runs/<n>`` (or a plan directory: its latest run).  The page
goes to ``RUNDIR/report.html`` unless ``-o FILE``.  Exit 0 when it was written
(whatever the run's outcome; the summary says it), 2 when RUNDIR is not a run.
"""

from __future__ import annotations

import os

import click

from ..ux.load import SubjectError
from ..ux.report import REPORT_FILE, html_page, summary
from ..ux.runview import load_run
from .app import EXIT_OK, EXIT_USAGE


@click.command("report")
@click.argument("run_dir", metavar="RUNDIR", type=click.Path(file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help=f"Write the page here (default RUNDIR/{REPORT_FILE}).")
def report(run_dir: str, output: str | None) -> None:
    """Write an HTML report of a run (DAG by final state, timeline) and print a summary."""
    try:
        view = load_run(run_dir)
    except SubjectError as exc:
        click.echo(f"raf: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    target = output or os.path.join(view.run_dir, REPORT_FILE)
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(html_page(view))
    except OSError as exc:
        click.echo(f"raf: cannot write {target}: {exc.strerror}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    click.echo(summary(view, target), nl=False)
    raise SystemExit(EXIT_OK)
