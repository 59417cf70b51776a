"""Executable tasks on worker threads: ``Popen`` + ``communicate``, by process group.

Spawning through a blocking ``subprocess.Popen`` on a few worker threads costs
about 60 % of what an asyncio subprocess costs (transports, protocols and a
child-watcher thread per process), so a local campaign of short commands runs
that much faster; the event loop only hears the outcome.

Each command runs in a new session (its own process group).  Cancelling a
running command sends SIGTERM to the group, SIGKILL to whatever is left after
``grace`` seconds (or as soon as its output pipes close), and reports the task
cancelled only once the group is gone.  A command cancelled while still queued
is reported at once and never started.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import threading
from typing import Any

from ...errors import ExecutableError
from ..process import BASH, STDERR_TAIL, command_argv
from ..results import CommandOutput
from .base import TaskSink, TaskSpec

QUEUED, STARTING, RUNNING = "queued", "starting", "running"


class _Job:
    __slots__ = ("cancel_reason", "grace", "proc", "spec", "state")

    def __init__(self, spec: TaskSpec, grace: float) -> None:
        self.spec = spec
        self.grace = grace
        self.state = QUEUED
        self.proc: subprocess.Popen[bytes] | None = None
        self.cancel_reason: str | None = None


class CommandPool:
    """At most ``size`` commands at once, each watched by one worker thread."""

    def __init__(self, sink: TaskSink, loop: asyncio.AbstractEventLoop, size: int,
                 grace: float) -> None:
        self.sink = sink
        self.loop = loop
        self.size = size
        self.grace = grace
        self.jobs: dict[str, _Job] = {}
        self.lock = threading.Lock()
        self.queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []

    def submit(self, spec: TaskSpec) -> None:
        job = _Job(spec, float(spec.description.get("grace", self.grace)))
        with self.lock:
            self.jobs[spec.uid] = job
        if not self.threads:  # the first command starts the workers
            self.threads = [threading.Thread(target=self._work, daemon=True,
                                             name=f"raf-command-{i}") for i in range(self.size)]
            for thread in self.threads:
                thread.start()
        self.queue.put(job)

    def _work(self) -> None:
        while (job := self.queue.get()) is not None:
            self._run(job)

    def _run(self, job: _Job) -> None:
        spec = job.spec
        with self.lock:
            if job.cancel_reason is not None:
                return  # cancelled while queued: already reported
            job.state = STARTING
        try:
            proc = _spawn(spec)
        except ExecutableError as exc:
            with self.lock:
                self.jobs.pop(spec.uid, None)
            self.sink.failed(spec.uid, exc)
            return
        with self.lock:
            job.proc, job.state = proc, RUNNING
            cancelled = job.cancel_reason is not None
        if cancelled:
            _signal_group(proc, signal.SIGKILL)
        else:
            self.sink.running(spec.uid)
        out, err = proc.communicate()
        with self.lock:
            self.jobs.pop(spec.uid, None)
            reason = job.cancel_reason
        if reason is not None:
            _signal_group(proc, signal.SIGKILL)  # anything that survived SIGTERM
            self.sink.cancelled(spec.uid, reason)
        elif proc.returncode != 0:
            tail = err[-STDERR_TAIL:].decode(errors="replace")
            self.sink.failed(spec.uid, ExecutableError(spec.name, spec.command or "",
                                                       proc.returncode, tail))
        else:
            self.sink.succeeded(spec.uid, CommandOutput(out.decode(errors="replace")))

    def cancel(self, uid: str, reason: str) -> bool:
        """On the loop thread. True if ``uid`` is (or was queued as) one of ours."""
        with self.lock:
            job = self.jobs.get(uid)
            if job is None:
                return False
            if job.cancel_reason is not None:
                return True
            job.cancel_reason = reason
            queued = job.state == QUEUED
            if queued:
                del self.jobs[uid]
            proc = job.proc
        if queued:
            self.sink.cancelled(uid, reason)
        elif proc is not None:
            _signal_group(proc, signal.SIGTERM)
            self.loop.call_later(job.grace, self._kill_if_alive, job)
        return True

    def _kill_if_alive(self, job: _Job) -> None:
        with self.lock:
            alive = self.jobs.get(job.spec.uid) is job
        if alive and job.proc is not None:
            _signal_group(job.proc, signal.SIGKILL)

    def shutdown(self) -> None:
        """Blocking, from any thread: stop every command, then the worker threads."""
        with self.lock:
            jobs = list(self.jobs.values())
            for job in jobs:
                job.cancel_reason = job.cancel_reason or "backend shutdown"
        for job in jobs:
            if job.state == QUEUED:
                with self.lock:
                    self.jobs.pop(job.spec.uid, None)
                self.sink.cancelled(job.spec.uid, "backend shutdown")
            elif job.proc is not None:
                _signal_group(job.proc, signal.SIGKILL)
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()


def _spawn(spec: TaskSpec) -> subprocess.Popen[bytes]:
    desc, command = spec.description, spec.command or ""
    shell = bool(desc.get("shell", True))
    env = {**os.environ, **desc["env"]} if desc.get("env") else None
    argv = command_argv(command, shell)
    try:
        return _popen(argv, desc.get("cwd"), env)
    except OSError as exc:
        if not shell or argv[0] == BASH:
            code = 127 if isinstance(exc, FileNotFoundError) else 126
            raise ExecutableError(spec.name, command, code, str(exc)) from None
    try:  # not a binary bash would exec (a script without #!): let bash decide
        return _popen([BASH, "-c", command], desc.get("cwd"), env)
    except OSError as exc:
        raise ExecutableError(spec.name, command, 126, str(exc)) from None


def _popen(argv: list[str], cwd: Any, env: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
