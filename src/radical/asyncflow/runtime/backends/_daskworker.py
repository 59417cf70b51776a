"""Code that runs inside Dask workers, and the pickling that feeds it.

A function task travels as two byte strings: the pickled function (cached per
function object on the client, per blob on the worker, as Dask itself does)
and the pickled ``(args, kwargs)``.  Pickling on the client, in ``submit``,
means an unpicklable argument fails that task at once with a
:class:`SerializationError` naming the argument, instead of breaking Dask's
comm later.  Results come back pickled for the same reason: a value that
cannot travel fails its task on the worker, with a clear message.

Executables run under bash in their own session.  Dask cannot interrupt a
running task, so the runner polls the worker's state for its own task key
while it waits for the command; once the key is cancelled or released (the
client cancelled the future, the worker is closing), it kills the process
group: SIGTERM, ``grace`` seconds, SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import cloudpickle

from ...errors import ExecutableError, SerializationError
from ..process import STDERR_TAIL, command_argv
from ..results import CommandOutput
from ._daskrefs import fill

POLL = 0.1  # seconds between cancellation checks of a running command
_FN_BLOBS: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()
_FN_CACHE: dict[bytes, Callable[..., Any]] = {}
_GONE_STATES = frozenset({"cancelled", "released", "forgotten"})


# -- client side ----------------------------------------------------------------
def dump_function(fn: Any, name: str) -> bytes:
    """The pickled function, cached for plain functions (no closure)."""
    cacheable = getattr(fn, "__closure__", True) is None
    if cacheable:
        with contextlib.suppress(TypeError):
            blob = _FN_BLOBS.get(fn)
            if blob is not None:
                return blob
    try:
        blob = cloudpickle.dumps(fn)
    except Exception as exc:
        raise SerializationError(f"task '{name}': the function cannot be pickled for a Dask "
                                 f"worker ({type(exc).__name__}: {exc})") from None
    if cacheable:
        with contextlib.suppress(TypeError):
            _FN_BLOBS[fn] = blob
    return blob


def dump_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """The pickled ``(args, kwargs)``, or a SerializationError naming the culprit."""
    try:
        return cloudpickle.dumps((args, kwargs))
    except Exception as exc:
        raise SerializationError(f"task '{name}': {_culprit(args, kwargs)} cannot be pickled for "
                                 f"a Dask worker ({type(exc).__name__}: {exc})") from None


def _culprit(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    named = [(f"argument {i} ({type(a).__name__})", a) for i, a in enumerate(args)]
    named += [(f"argument {k}= ({type(v).__name__})", v) for k, v in kwargs.items()]
    for label, value in named:
        try:
            cloudpickle.dumps(value)
        except Exception:
            return label
    return "an argument"


def load_result(blob: bytes) -> Any:
    return cloudpickle.loads(blob)


# -- worker side ----------------------------------------------------------------
def call(name: str, fn_blob: bytes, payload: bytes, is_async: bool, *kept: bytes) -> bytes:
    """Run one function task on a worker; return its pickled value.

    ``kept`` are the pickled results of earlier tasks passed by reference
    (Dask delivers them); they replace the Refs in the arguments.
    """
    fn = _FN_CACHE.get(fn_blob)
    if fn is None:
        fn = cloudpickle.loads(fn_blob)
        if len(_FN_CACHE) > 256:
            _FN_CACHE.clear()
        _FN_CACHE[fn_blob] = fn
    args, kwargs = cloudpickle.loads(payload)
    if kept:
        args, kwargs = fill(args, kwargs, [cloudpickle.loads(blob) for blob in kept])
    try:
        value = asyncio.run(fn(*args, **kwargs)) if is_async else fn(*args, **kwargs)
    except Exception as exc:
        _raise_portable(name, exc)
        raise
    try:
        return cloudpickle.dumps(value)
    except Exception as exc:
        raise SerializationError(
            f"task '{name}': its result ({type(value).__name__}) cannot be pickled back from the "
            f"Dask worker ({type(exc).__name__}: {exc})") from None


def _raise_portable(name: str, exc: Exception) -> None:
    """Replace an exception that cannot travel back by a SerializationError."""
    try:
        cloudpickle.dumps(exc)
    except Exception as why:
        raise SerializationError(
            f"task '{name}' raised {type(exc).__name__}: {exc} (the exception itself cannot be "
            f"pickled back from the Dask worker: {why})") from None


def shell(name: str, command: str, cwd: str | None, env: Mapping[str, str] | None,
          use_shell: bool, grace: float) -> CommandOutput:
    """Run an executable task on a worker; stdout, or ExecutableError on non-zero exit."""
    try:
        proc = subprocess.Popen(
            command_argv(command, use_shell), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=cwd, env={**os.environ, **env} if env else None,
            start_new_session=True)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        raise ExecutableError(name, command, 127 if isinstance(exc, FileNotFoundError) else 126,
                              str(exc)) from None
    out, err = _communicate(proc, grace, _cancel_probe())
    if proc.returncode != 0:
        tail = err[-STDERR_TAIL:].decode(errors="replace")
        raise ExecutableError(name, command, proc.returncode, tail)
    return CommandOutput(out.decode(errors="replace"))


def _communicate(proc: subprocess.Popen[bytes], grace: float,
                 cancelled: Callable[[], bool]) -> tuple[bytes, bytes]:
    try:
        while True:
            try:
                return proc.communicate(timeout=POLL)
            except subprocess.TimeoutExpired:
                if cancelled():
                    raise _Cancelled() from None
    except BaseException:
        kill_group(proc, grace)
        raise


class _Cancelled(Exception):
    """The task's key was cancelled while its command ran (nobody reads this)."""


def _cancel_probe() -> Callable[[], bool]:
    """A check: is the task this thread runs no longer wanted by the worker?"""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        worker, key = get_worker(), thread_state.key
    except Exception:  # not on a worker (tests call shell directly)
        return lambda: False

    def cancelled() -> bool:
        ts = worker.state.tasks.get(key)
        return ts is None or ts.state in _GONE_STATES or worker.status.name in (
            "closing", "closed", "failed")

    return cancelled


def kill_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the command's process group, wait ``grace`` s, then SIGKILL it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
