"""Loading what ``show`` and ``diff`` look at, with the CLI's exit codes for failures."""

from __future__ import annotations

import click

from ..compiler import Limits, Options
from ..compiler.api import InternalError
from ..ux.load import Subject, SubjectError, load
from .app import EXIT_INTERNAL, EXIT_USAGE, debug_enabled


def options(strict: bool, max_nodes: int, max_bytes: int, max_lines: int) -> Options:
    limits = Limits(max_bytes=max_bytes, max_lines=max_lines, max_nodes=max_nodes)
    return Options(strict=strict, limits=limits, debug=debug_enabled())


def load_subject(path: str, opts: Options, rev: str | None = None) -> Subject:
    """The subject at ``path`` (and ``rev``); exit 2 when it cannot be read."""
    try:
        return load(path, rev=rev, options=opts)
    except SubjectError as exc:
        click.echo(f"raf: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except InternalError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INTERNAL) from None
