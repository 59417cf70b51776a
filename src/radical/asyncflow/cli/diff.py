"""``raf diff A B`` / ``raf diff PATH --against REV``: what changed between two workflow graphs.

Exit codes: 0 when the graphs are the same (renumbered ids alone do not count),
1 when they differ, 2 when a side cannot be read.
"""

from __future__ import annotations

import click

from ..codegen.plan import BACKENDS
from ..ux.diff import diff
from ..ux.diff_render import render_json, render_text
from .app import EXIT_FINDINGS, EXIT_OK
from .common import limit_options
from .subjects import load_subject, options


@click.command("diff")
@click.argument("a", type=click.Path(dir_okay=True))
@click.argument("b", type=click.Path(dir_okay=True), required=False)
@click.option("--against", "rev", metavar="REV",
              help="Compare A with its own content at git revision REV (read with `git show`, "
                   "never executed).")
@click.option("--backend", type=click.Choice(list(BACKENDS)),
              help="Backend for the impact lines (default: the plans' backend, else local).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Treat RAF4xx (dynamic regions) as errors.")
@limit_options
def diff_cmd(a: str, b: str | None, rev: str | None, backend: str | None, fmt: str,
             strict: bool, max_nodes: int, max_bytes: int, max_lines: int) -> None:
    """Compare two plans or modules, or a module with a git revision of itself.

    Exit 0 when they are the same graph, 1 when they differ.
    """
    if (b is None) == (rev is None):
        raise click.UsageError("give two paths A B, or one path and --against REV")
    opts = options(strict, max_nodes, max_bytes, max_lines)
    old = load_subject(a, opts, rev) if rev else load_subject(a, opts)
    new = load_subject(a if rev else str(b), opts)
    result = diff(old, new, backend)
    click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)
    raise SystemExit(EXIT_OK if result.equal else EXIT_FINDINGS)
