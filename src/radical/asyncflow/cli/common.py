"""Helpers shared by the commands: compiling, exit codes, reading source lines."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import click

from ..compiler import Limits, Options, compile_path
from ..compiler.api import InternalError
from ..ir import Diagnostic, Workflow
from .app import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, debug_enabled

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def limit_options(func):  # type: ignore[no-untyped-def]
    func = click.option("--max-nodes", type=click.IntRange(1), default=100_000, show_default=True,
                        help="Stop unrolling after this many nodes.")(func)
    func = click.option("--max-bytes", type=click.IntRange(1), default=Limits().max_bytes,
                        show_default=True, help="Refuse modules larger than this.")(func)
    func = click.option("--max-lines", type=click.IntRange(1), default=Limits().max_lines,
                        show_default=True, help="Refuse modules with more lines.")(func)
    return func


def compile_one(path: str, strict: bool, max_nodes: int, max_bytes: int,
                max_lines: int) -> Workflow:
    limits = Limits(max_bytes=max_bytes, max_lines=max_lines, max_nodes=max_nodes)
    options = Options(strict=strict, limits=limits, debug=debug_enabled())
    try:
        return compile_path(path, options)
    except InternalError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INTERNAL) from None


def exit_code(diags: Sequence[Diagnostic]) -> int:
    if any(d.code.startswith("RAF9") for d in diags):
        return EXIT_INTERNAL
    if any(d.severity == "error" for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


@functools.lru_cache(maxsize=64)
def source_lines(path: str) -> tuple[str, ...] | None:
    """Lines of an already-loaded module, for excerpts (regular files only, capped)."""
    import os
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or os.stat(path).st_size > 64 * 1024 * 1024:
            return None
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    return tuple(_LINE_BREAK.split(text))
