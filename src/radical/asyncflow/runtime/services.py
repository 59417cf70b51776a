"""Service tasks: long-lived processes or objects that other tasks use.

``@flow.executable_task(service=True)`` starts its command in its own process
group and the task is **ready** when the command prints its first non-empty
line on stdout, or, with ``task_description={"ready": REGEX}``, the first
line in which ``REGEX`` is found.  The future then resolves to a
:class:`ServiceInfo`: ``endpoint`` is the regex's first group (or the whole
line), ``line`` the ready line, ``pid`` the process.  The process keeps
running (its output is drained and discarded) until the engine shuts down,
which kills its process group (SIGTERM, grace, SIGKILL).  If it exits before
it is ready the task fails with :class:`ServiceError`; if it exits after,
the engine is told (``sink.service_lost``) and fails every unfinished task
that uses it with a :class:`DependencyFailureError` whose root cause is
:class:`ServiceLost`.  A ready line must be flushed (``python -u``,
``stdbuf -oL``), or it sits in the program's buffer and the task never gets
ready (bound it with ``timeout=``).

``@flow.function_task(service=True)``: the body starts the service and
returns the object that reaches it; the future resolves to a ``ServiceInfo``
whose ``endpoint`` is that object, and at shutdown the engine calls its
``close()`` (awaited if it returns an awaitable) after all other tasks ended.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import inspect
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ServiceError, ServiceLost
from ._util import in_thread
from .process import command_argv, kill_group

READY_KEY = "ready"
TAIL = 4096


@dataclasses.dataclass(frozen=True, slots=True)
class ServiceInfo:
    """How to reach a running service; ``str(info)`` is its endpoint."""

    name: str
    uid: str
    endpoint: Any
    line: str = ""
    groups: tuple[str | None, ...] = ()
    pid: int | None = None

    def __str__(self) -> str:
        return str(self.endpoint)


LostCallback = Callable[[str, BaseException], None]


class LiveService:
    """A started executable service: its process, output drains and exit watcher."""

    def __init__(self, proc: Any, name: str, uid: str, grace: float, stderr: _Tail) -> None:
        self.proc = proc
        self.name = name
        self.uid = uid
        self.grace = grace
        self.stderr = stderr
        self.stopping = False
        self.info: ServiceInfo | None = None
        self.drains: list[asyncio.Task[None]] = [stderr.task]
        self.watcher: asyncio.Task[None] | None = None

    def watch(self, on_lost: LostCallback) -> None:
        self.drains.append(asyncio.get_running_loop().create_task(_drain(self.proc.stdout)))
        self.watcher = asyncio.get_running_loop().create_task(self._watch(on_lost))

    async def _watch(self, on_lost: LostCallback) -> None:
        code = await self.proc.wait()
        if self.stopping:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, 9)  # whatever the leader left behind in its group
        await asyncio.wait(self.drains, timeout=1.0)
        on_lost(
            self.uid,
            ServiceLost(
                f"service '{self.name}' ({self.uid}) {_how(code)} while in use{self.stderr.text()}"
            ),
        )

    async def stop(self) -> None:
        """Kill the process group and wait for the drains; idempotent."""
        self.stopping = True
        if self.proc.returncode is None:
            await kill_group(self.proc, self.grace)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, 9)
        tasks = [t for t in (*self.drains, self.watcher) if t is not None]
        _, pending = await asyncio.wait(tasks, timeout=5.0) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


class _Tail:
    """Reads a stream to its end, keeping the last :data:`TAIL` bytes."""

    def __init__(self, stream: Any) -> None:
        self.chunks: collections.deque[bytes] = collections.deque()
        self.size = 0
        self.task = asyncio.get_running_loop().create_task(self._read(stream))

    async def _read(self, stream: Any) -> None:
        while chunk := await stream.read(65536):
            self.chunks.append(chunk)
            self.size += len(chunk)
            while self.size - len(self.chunks[0]) >= TAIL:
                self.size -= len(self.chunks.popleft())

    def text(self) -> str:
        data = b"".join(self.chunks)[-TAIL:].decode(errors="replace").strip()
        return f"\n--- stderr (last 4 KiB) ---\n{data}" if data else ""


async def _drain(stream: Any) -> None:
    while await stream.read(65536):
        pass


async def start(
    command: str,
    *,
    name: str,
    uid: str,
    ready: str | None = None,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    shell: bool = True,
    grace: float = 5.0,
) -> LiveService:
    """Start ``command`` and wait until it is ready; the caller then calls ``watch``."""
    pattern = re.compile(ready) if ready else None
    argv = command_argv(command, shell)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            start_new_session=True,
        )
    except OSError as exc:
        raise ServiceError(f"service '{name}' could not start {argv[0]!r}: {exc}") from None
    live = LiveService(proc, name, uid, grace, _Tail(proc.stderr))
    try:
        live.info = await _until_ready(live, pattern)
    except BaseException:
        await live.stop()
        raise
    return live


async def _until_ready(live: LiveService, pattern: re.Pattern[str] | None) -> ServiceInfo:
    proc = live.proc
    while True:
        try:
            raw = await proc.stdout.readline()
        except ValueError:  # a line longer than the stream's limit: not a ready line
            continue
        if not raw:
            code = await proc.wait()
            await asyncio.wait(live.drains, timeout=1.0)
            raise ServiceError(
                f"service '{live.name}' ({live.uid}) {_how(code)} before it was ready"
                + (f" (no stdout line matched {pattern.pattern!r})" if pattern else "")
                + live.stderr.text()
            )
        line = raw.decode(errors="replace").rstrip("\r\n")
        info = _ready_info(live, line, pattern)
        if info is not None:
            return info


def _ready_info(
    live: LiveService, line: str, pattern: re.Pattern[str] | None
) -> ServiceInfo | None:
    found = ready_match(line, pattern)
    if found is None:
        return None
    return ServiceInfo(live.name, live.uid, found[0], line, found[1], live.proc.pid)


def ready_match(
    line: str, pattern: re.Pattern[str] | None
) -> tuple[str, tuple[str | None, ...]] | None:
    """``(endpoint, groups)`` if ``line`` (no newline) makes a service ready, else None.

    Without a pattern: the first non-empty line, stripped.  With one: the first
    line in which it is found; the endpoint is its first group, else the match.
    """
    if pattern is None:
        return (line.strip(), ()) if line.strip() else None
    match = pattern.search(line)
    if match is None:
        return None
    return (match.group(1) if pattern.groups else match.group(0)), match.groups()


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


async def close_endpoint(endpoint: Any) -> None:
    """Close a function service's endpoint: ``close()``, awaited if it is async."""
    close = getattr(endpoint, "close", None)
    if not callable(close):
        return
    if inspect.iscoroutinefunction(close):
        await close()
        return
    result = await in_thread(close)
    if inspect.isawaitable(result):
        await result


__all__ = ["READY_KEY", "LiveService", "ServiceInfo", "close_endpoint", "ready_match", "start"]
