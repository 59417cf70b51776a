"""Running shell commands: bash semantics, process groups, clean kills.

Every command runs in a new session (its own process group), so cancelling it
kills the whole tree: SIGTERM to the group, ``grace`` seconds, then SIGKILL.
A command that is one plain program call (no shell syntax, not a builtin) is
exec'ed directly, which is what bash itself would do after parsing it; all
others run as ``bash -c COMMAND`` with their quoting intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shlex
import shutil
import signal
from collections.abc import Mapping
from typing import Any

from ..errors import ExecutableError
from .results import CommandOutput

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


async def run_command(
    command: str,
    *,
    name: str,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    shell: bool = True,
    grace: float = 5.0,
) -> CommandOutput:
    """Run ``command``; return its stdout, or raise ExecutableError on a non-zero exit."""
    full_env = {**os.environ, **env} if env else None
    argv = command_argv(command, shell)
    try:
        proc = await _spawn(argv, cwd, full_env)
    except OSError as exc:
        if not shell or argv[0] == BASH:
            raise ExecutableError(
                name, command, 127 if isinstance(exc, FileNotFoundError) else 126, str(exc)
            ) from None
        try:  # not a binary bash would exec (a script without #!): let bash decide
            proc = await _spawn([BASH, "-c", command], cwd, full_env)
        except OSError as exc2:
            raise ExecutableError(name, command, 126, str(exc2)) from None
    try:
        out, err = await proc.communicate()
    except asyncio.CancelledError:
        await kill_group(proc, grace)
        raise
    if proc.returncode != 0:
        tail = err[-STDERR_TAIL:].decode(errors="replace")
        raise ExecutableError(name, command, proc.returncode, tail)
    return CommandOutput(out.decode(errors="replace"))


async def _spawn(argv: list[str], cwd: str | None, env: Mapping[str, str] | None) -> Any:
    return await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


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
