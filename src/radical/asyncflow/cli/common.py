"""Helpers shared by the commands: compiling, exit codes, reading source lines."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import click

from ..compiler import Limits, Options, compile_path
from ..compiler.api import InternalError
from ..compiler.machines import Machine, MachineError, load_machine_file
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


def target_options(func):  # type: ignore[no-untyped-def]
    """``--resource LABEL`` / ``--machine FILE``: the RAF5xx target (and the pilot's)."""
    func = click.option("--machine", "machine_file", type=click.Path(dir_okay=False),
                        default=None, help="Check resources against this machine file "
                        "(JSON: cores_per_node, gpus_per_node, nodes, mem_per_node, mpi).")(func)
    func = click.option("--resource", default=None, metavar="LABEL",
                        help="Check resources against this Radical.Pilot resource (e.g. "
                        "tacc.frontera); default: the module's RadicalExecutionBackend.")(func)
    return func


def load_machine(machine_file: str | None) -> Machine | None:
    if machine_file is None:
        return None
    try:
        return load_machine_file(machine_file)
    except MachineError as exc:
        raise click.UsageError(str(exc)) from None


def compile_one(path: str, strict: bool, max_nodes: int, max_bytes: int,
                max_lines: int, resource: str | None = None,
                machine: Machine | None = None) -> Workflow:
    limits = Limits(max_bytes=max_bytes, max_lines=max_lines, max_nodes=max_nodes)
    options = Options(strict=strict, limits=limits, debug=debug_enabled(), resource=resource,
                      machine=machine)
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
