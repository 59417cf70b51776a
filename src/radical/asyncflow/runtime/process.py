"""Shell commands: bash semantics and clean kills, shared by every backend.

A command that is one plain program call (no shell syntax, not a builtin) is
exec'ed directly, which is what bash itself would do after parsing it; all
others run as ``bash -c COMMAND`` with their quoting intact.  Commands run in
a new session (their own process group), so stopping one kills the whole
tree: SIGTERM to the group, ``grace`` seconds, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shlex
import shutil
import signal
from typing import Any

BASH = shutil.which("bash") or "/bin/bash"
STDERR_TAIL = 4096
_SHELL_SYNTAX = frozenset("|&;<>()$`\\\"'*?[]#~{}!\n")
_BUILTINS = frozenset(
    """
    alias bg bind break builtin caller case cd command compgen complete continue coproc
    declare dirs disown do done echo elif else enable esac eval exec exit export false fc fg
    fi for function getopts hash help history if in jobs kill let local logout mapfile popd
    printf pushd pwd read readarray readonly return select set shift shopt source suspend
    test then time times trap true type typeset ulimit umask unalias unset until wait while
    """.split()  # noqa: SIM905 - a word list reads better than 70 quoted strings
)


@functools.lru_cache(maxsize=1024)
def _which(program: str) -> str | None:
    return shutil.which(program)


def direct_argv(command: str) -> list[str] | None:
    """The argv bash would exec for a plain ``prog arg...`` command, else None."""
    if _SHELL_SYNTAX.intersection(command):
        return None
    words = command.split()
    if not words or "=" in words[0] or words[0] in _BUILTINS:
        return None
    path = words[0] if "/" in words[0] else _which(words[0])
    if path is None or not os.access(path, os.X_OK) or os.path.isdir(path):
        return None
    return [path, *words[1:]]


def command_argv(command: str, shell: bool = True) -> list[str]:
    if not shell:
        return shlex.split(command)
    return direct_argv(command) or [BASH, "-c", command]


async def kill_group(proc: Any, grace: float) -> None:
    """SIGTERM the process group, wait ``grace`` seconds, SIGKILL whatever is left."""
    pgid = proc.pid
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(proc.wait()), grace)
    except TimeoutError:
        pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    await proc.wait()
