"""The ``raf`` click group, the exit-code contract and the no-traceback guard.

Exit codes: 0 ok, 1 findings (error diagnostics) or a failed run, 2 usage,
3 internal error ("please report"), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, envvar="RAF_DEBUG",
              help="Show tracebacks of internal errors.")
@click.pass_context
def raf(ctx: click.Context, debug: bool) -> None:
    """radical.asyncflow: check, compile and show workflow modules."""
    ctx.obj = {"debug": debug}


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return bool(root and root.obj and root.obj.get("debug")) or bool(os.environ.get("RAF_DEBUG"))


def main(argv: list[str] | None = None) -> int:
    """Console entry point; never lets a traceback reach the user (unless --debug)."""
    try:
        raf.main(args=argv, prog_name="raf", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    except BaseException as exc:  # the guard: anything else is our bug
        if os.environ.get("RAF_DEBUG") or "--debug" in (argv or sys.argv):
            traceback.print_exc()
        click.echo(f"raf: internal error RAF900: {type(exc).__name__}: {exc}\n"
                   "this is a bug in radical.asyncflow, please report it "
                   "(run with --debug for a traceback)", err=True)
        return EXIT_INTERNAL
    return EXIT_OK
