"""Executable service tasks on Radical.Pilot: ``rp.TASK_SERVICE``, ready at a stdout line.

What radical.pilot 1.103 offers, measured on ``local.localhost``:

* A ``TASK_SERVICE`` task runs under ``radical-pilot-service-wrapper``, which
  starts the command and tells the agent when the service is up.  With an
  ``info_pattern`` the agent's task-intake thread waits until the wrapper
  finds it: no task submitted meanwhile reaches the agent, and a service that
  exits first stalls the intake for ``startup_timeout`` (without one, for
  ever), after which RP fails the *other* tasks of that batch too.  The
  wrapper's regex is ``^.*(PATTERN).*$`` (the greedy prefix eats the first
  digits of a port) and it reports the last group.  With ``startup_timeout``
  the wrapper also kills the service that many seconds after its start, even
  when it is up.
* Without an ``info_pattern`` the wrapper reports the service up as soon as
  the command started (about 0.3 s) and the intake goes on at once.

So the backend passes neither key (both are refused for services) and
detects readiness itself, with the local backend's rule (the first non-empty
stdout line, or the first line matching ``task_description={"ready":
REGEX}``), by reading the service's stdout file ``<sandbox>/<uid>.stdout``
(the wrapper writes it) every :data:`POLL` seconds from one watcher thread.
That needs the pilot sandbox to be readable from the client: true on
``local.*`` resources and where the client runs on a site's login node with
the sandbox on a shared filesystem.  Elsewhere a service task fails at once
with a ``BackendError`` that says so.

Quoting and ``PATH``: the agent writes the wrapper's command line into its
launch script in double quotes (``$`` and backticks would expand there), and
RP's task environment drops the pilot's virtualenv, where the wrapper lives.
The command is therefore written verbatim to ``<uid>.service.sh`` in the
sandbox by a single-quoted ``pre_exec`` line, the directory of ``$RP_CTRL``
(RP's own ``radical-pilot-control``) goes on ``PATH`` for the wrapper, and
the script restores the task's own ``PATH`` before the command.

Lifetime: RP's cancel kills the task's process group (SIGTERM, SIGKILL
0.1 s later), which holds the wrapper and the service.  A service that ends
after it was ready ends its RP task, which the backend reports as
``ServiceLost``: ``FAILED`` with the exit code (137 after a SIGKILL, as the
shells between the wrapper and the service report it).

Exit status: RP's wrapper runs the script as ``/bin/sh -c 'bash
<uid>.service.sh >OUT 2>ERR'``.  When that shell is killed by a signal the
wrapper exits 0 and RP reports ``DONE`` with exit code 0, though the service
did not exit 0 (orphaned, it may even run on).  The script therefore runs
the command in a subshell (so neither ``exec`` nor ``exit`` in it skips what
follows) and records its exit status in ``<uid>.service.exit``; exit code 0
without that record is reported as the shell's death, not as the service's
exit.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shlex
import threading
from collections.abc import Callable
from typing import Any

from ...errors import BackendError, ServiceError, ServiceLost, TaskDescriptionError
from ..services import READY_KEY, ServiceInfo, ready_match
from .base import TaskSpec

log = logging.getLogger("radical.asyncflow")
#: RP task-description keys that break services (see the module docstring)
REFUSED = ("info_pattern", "startup_timeout")
POLL = 0.1
TAIL = 4096
_MAX_LINE = 1 << 20
#: where a service's script records the command's exit status (in its sandbox)
_STATUS = "{}.service.exit"


@dataclasses.dataclass(slots=True)
class Starting:
    """A submitted service task whose ready line has not been seen yet."""

    uid: str
    rp_uid: str
    name: str
    stdout: str  # paths on this machine
    stderr: str
    status: str  # the script's record of the service's exit status
    pattern: re.Pattern[str] | None
    offset: int = 0
    partial: bytes = b""
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def scan(self, final: bool = False) -> ServiceInfo | None:
        """Read what the service printed since the last scan; its info once ready."""
        with self.lock:
            return self._scan(final)

    def _scan(self, final: bool) -> ServiceInfo | None:
        try:
            with open(self.stdout, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except OSError:  # not created yet
            data = b""
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        if final and self.partial:
            lines.append(self.partial)
        elif len(self.partial) > _MAX_LINE:  # not a ready line: the local backend skips it too
            self.partial = b""
        for raw in lines:
            line = raw.decode(errors="replace").rstrip("\r")
            found = ready_match(line, self.pattern)
            if found is not None:
                return ServiceInfo(self.name, self.uid, found[0], line, found[1], None)
        return None

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr, "rb") as fh:
                fh.seek(max(0, os.path.getsize(self.stderr) - TAIL))
                text = fh.read().decode(errors="replace").strip()
        except OSError:
            return ""
        return f"\n--- stderr (last 4 KiB) ---\n{text}" if text else ""

    def not_ready(self, state: str, exit_code: int | None) -> ServiceError:
        matched = f" (no stdout line matched {self.pattern.pattern!r})" if self.pattern else ""
        return ServiceError(f"service '{self.name}' ({self.uid}) {self._how(state, exit_code)} "
                            f"before it was ready{matched}{self.stderr_tail()}")

    def lost(self, state: str, exit_code: int | None) -> ServiceLost:
        return ServiceLost(f"service '{self.name}' ({self.uid}) {self._how(state, exit_code)} "
                           f"while in use{self.stderr_tail()}")

    def _how(self, state: str, exit_code: int | None) -> str:
        return _how(state, exit_code, exit_code != 0 or os.path.exists(self.status))


def _how(state: str, code: int | None, recorded: bool = True) -> str:
    """How the service ended; ``recorded``: its script recorded an exit status."""
    if state == "CANCELED":
        return "was cancelled in Radical.Pilot"
    if code is None:
        return f"ended in Radical.Pilot state {state}"
    if not recorded:  # see "Exit status" in the module docstring
        return ("ended (the shell running it was killed by a signal, which Radical.Pilot "
                "reports as exit code 0)")
    if code > 128:
        return f"exited with code {code} (killed by signal {code - 128})"
    return f"exited with code {code}"


def check(spec: TaskSpec, pilot_dir: str | None) -> re.Pattern[str] | None:
    """Refuse what cannot work; the compiled ready pattern."""
    if spec.kind != "executable":
        raise BackendError(
            f"task '{spec.name}' is a function service, which Radical.Pilot cannot host: RAPTOR "
            "runs each function in a process that ends when it returns, and the service with it. "
            "Use @flow.executable_task(service=True), or route it to a LocalExecutionBackend "
            "with backend='name'")
    refused = [key for key in REFUSED if key in spec.description]
    if refused:
        raise TaskDescriptionError(
            f"task '{spec.name}': task_description key(s) {', '.join(map(repr, refused))} are "
            "not used for service tasks on Radical.Pilot (they stall or kill services there); "
            f"readiness is task_description={{'{READY_KEY}': REGEX}}, bound it with timeout=")
    if pilot_dir is None:
        raise BackendError(
            f"task '{spec.name}' is a service, and services on Radical.Pilot need the pilot "
            "sandbox to be readable from this machine (to see the ready line): true on local.* "
            "resources, or when this client runs on the site's shared filesystem")
    ready = spec.description.get(READY_KEY)
    try:
        return re.compile(ready) if ready else None
    except (re.error, TypeError) as exc:
        raise TaskDescriptionError(
            f"task '{spec.name}': task_description['{READY_KEY}'] is not a regular expression: "
            f"{exc}") from None


def fields(command: str, rp_uid: str, pre_exec: list[Any]) -> dict[str, Any]:
    """``executable`` and ``pre_exec`` that run ``command`` under RP's service wrapper."""
    script = f"{rp_uid}.service.sh"
    body = (f'export PATH="$RAF_TASK_PATH"; unset RAF_TASK_PATH\n(\n{command}\n)\n'
            f'status=$?; echo "$status" > {_STATUS.format(rp_uid)}; exit "$status"\n')
    return {
        "executable": f"bash {script}",
        "arguments": [],
        "pre_exec": [*pre_exec, f"printf '%s' {shlex.quote(body)} > {script}",
                     'export RAF_TASK_PATH="$PATH" PATH="${RP_CTRL%/*}:$PATH"'],
    }


def output_paths(sandbox: str, rp_uid: str, td: Any) -> tuple[str, str, str]:
    """Where the wrapper sends the service's stdout and stderr, and its exit status goes."""
    out = os.path.join(sandbox, td.stdout or f"{rp_uid}.stdout")
    err = os.path.join(sandbox, td.stderr or f"{rp_uid}.stderr")
    return out, err, os.path.join(sandbox, _STATUS.format(rp_uid))


class Watcher:
    """One thread reading the stdout files of starting services until each is ready.

    It runs only while some service is starting.  ``on_ready(item, info)`` is
    called from the thread; the backend decides whether the task still counts.
    """

    def __init__(self, on_ready: Callable[[Starting, ServiceInfo], None], name: str) -> None:
        self._on_ready = on_ready
        self._name = name
        self._items: dict[str, Starting] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, item: Starting) -> None:
        with self._lock:
            self._items[item.rp_uid] = item
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                 name=f"raf-rp-services-{self._name}")
                self._thread.start()

    def discard(self, rp_uid: str) -> Starting | None:
        with self._lock:
            return self._items.pop(rp_uid, None)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            thread, self._items = self._thread, {}
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(POLL):
            with self._lock:
                items = list(self._items.values())
                if not items:
                    self._thread = None
                    return
            for item in items:
                info = item.scan()
                if info is not None and self.discard(item.rp_uid) is item:
                    try:
                        self._on_ready(item, info)
                    except Exception:  # a bug here must not stop the other services
                        log.exception("radical.pilot: reporting service %s failed", item.uid)
