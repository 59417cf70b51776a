"""What Radical.Pilot reports, and the bookkeeping of the tasks in flight.

:class:`Reports` is mixed into :class:`.radical_pilot.RadicalExecutionBackend`.
RP reports task states from its own threads: ``AGENT_EXECUTING`` becomes
``running``, final states become the outcome.  The service watcher's thread
reports a ready line (:mod:`._rp_services`); the pilot's state arrives from a
PilotManager callback and, as a backstop, the submitter thread's 1 s poll.
The engine's :meth:`cancel` and shutdown settle flights here too.

State, guarded by ``_lock``:

* ``_flights`` (RP uid -> :class:`._rp_tasks.Flight`): each task the engine
  still waits for, until its one outcome is reported, so a late or
  duplicate RP callback is ignored; ``_rp_uid`` maps our uid to RP's.
* ``_serving`` (RP uid -> flight): services reported ready, until they end
  (``ServiceLost``) or shutdown cancels them.
* ``_raptor`` and ``_raptor_id``: the uids of the running RAPTOR master and
  workers, and the master's (set by the submitter thread).
* ``_lost``: why the pilot is gone, once it is; later submissions fail with it.

Failure: RP does not reliably call back for tasks whose pilot ended, so a
pilot report fails every unfinished task with :class:`BackendLost` naming
the pilot's final state, and every later submission too.  A RAPTOR master or
worker that ends does the same for the function tasks (the next function
task starts a fresh RAPTOR).
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

from ...errors import BackendLost, ServiceLost
from ..services import ServiceInfo
from . import _rp_services, _rp_staging, _rp_tasks
from ._rp_services import Starting
from ._rp_tasks import Flight
from .base import TaskSink, report_service_lost

log = logging.getLogger("radical.asyncflow")


class Reports:
    """Mixed into the RP backend: task, service and pilot reports, and settling flights."""

    sink: TaskSink
    pilot: Any
    _rp: Any
    _lock: threading.Lock
    _flights: dict[str, Flight]
    _rp_uid: dict[str, str]
    _serving: dict[str, Flight]
    _raptor: set[str]
    _raptor_id: str | None
    _lost: str | None
    _closing: bool
    _watcher: _rp_services.Watcher
    _stager: _rp_staging.Stager
    _pilot_path: Callable[[], str]
    _pilot_reason: Callable[[str | None], str]

    def _on_task(self, task: Any, state: str) -> None:
        if state == "AGENT_EXECUTING":
            flight = self._flights.get(task.uid)
            if flight is not None:
                self.sink.running(flight.uid)
            return
        if state not in ("DONE", "FAILED", "CANCELED"):
            return
        with self._lock:
            flight = self._flights.pop(task.uid, None)
            if flight is not None:
                self._rp_uid.pop(flight.uid, None)
            served = self._serving.pop(task.uid, None) if flight is None else None
        if flight is not None:
            self._forget(flight)
            self._settle(flight, task, state)
        elif served is not None:
            self._service_ended(served, task, state)
        else:
            self._stager.ended(task.uid)
            self._raptor_ended(task, state)

    def _settle(self, flight: Flight, task: Any, state: str) -> None:
        """The outcome of a task that ended while the engine still waited for it."""
        if flight.service is not None:
            info = flight.service.scan(final=True)
            if info is None:
                self.sink.failed(flight.uid, flight.service.not_ready(state, task.exit_code))
                return
            self.sink.succeeded(flight.uid, info)  # its ready line came with its end
            report_service_lost(self.sink, flight.uid, flight.service.lost(state, task.exit_code))
            return
        if flight.staged is not None and state != "DONE":
            _rp_staging.discard(flight.staged)
        if state == "CANCELED":
            self.sink.cancelled(flight.uid, "cancelled by Radical.Pilot")
            return
        if state == "DONE" and flight.staged is not None and flight.staged.outputs:
            missing = self._stager.done(flight.uid, flight.name, flight.staged,
                                        self._task_sandbox(flight, task), not flight.td.cleanup)
            if missing is not None:
                self.sink.failed(flight.uid, missing)
                return
        ok, value = _rp_tasks.outcome(flight, task, state)
        (self.sink.succeeded if ok else self.sink.failed)(flight.uid, value)

    def _task_sandbox(self, flight: Flight, task: Any) -> str:
        path = urllib.parse.urlparse(str(task.task_sandbox or "")).path.rstrip("/")
        return path or _rp_staging.sandbox_path(self._pilot_path(), flight.rp_uid,
                                                flight.td.sandbox)

    def _forget(self, flight: Flight, orphan: bool = False) -> None:
        """Stop watching a task the engine no longer waits for.

        ``orphan``: it was cancelled, but RP may still copy its outputs back;
        those copies are removed when RP reports its end (or at shutdown).
        """
        if flight.service is not None:
            self._watcher.discard(flight.rp_uid)
        if orphan and flight.staged is not None:
            self._stager.orphan(flight.rp_uid, flight.staged)

    # -- services ----------------------------------------------------------------------
    def _service_ready(self, item: Starting, info: ServiceInfo) -> None:
        """From the watcher thread: ``item`` printed its ready line."""
        with self._lock:
            flight = self._flights.pop(item.rp_uid, None)
            if flight is None:
                return  # cancelled, failed or ended meanwhile
            self._rp_uid.pop(flight.uid, None)
            self._serving[item.rp_uid] = flight
        log.debug("radical.pilot: service %s (%s) is ready: %s", item.name, item.rp_uid,
                  info.line)
        self.sink.succeeded(flight.uid, info)

    def _service_ended(self, flight: Flight, task: Any, state: str) -> None:
        if self._closing or flight.service is None:
            return
        report_service_lost(self.sink, flight.uid, flight.service.lost(state, task.exit_code))

    def _raptor_ended(self, task: Any, state: str) -> None:
        with self._lock:
            if task.uid not in self._raptor:
                return
            self._raptor = set()
            self._raptor_id = None
        if self._closing:
            return
        detail = task.exception or (task.stderr or "").strip()[-2000:] or "no detail given"
        self._fail_all(lambda f: f.kind == "function",
                       f"the RAPTOR process {task.uid} running function tasks ended "
                       f"({state}): {detail}")

    def _on_pilot(self, pilot: Any, state: str | None = None) -> None:
        try:
            self._check_pilot(state)
        except Exception:  # RP swallows callback errors silently; we log them
            log.exception("radical.pilot: pilot callback failed")

    def _check_pilot(self, state: str | None = None) -> None:
        state = state or self.pilot.state
        if state not in self._rp.FINAL or self._closing:
            return
        with self._lock:
            reason = self._lost = self._lost or self._pilot_reason(state)
            services, self._serving = list(self._serving.values()), {}
        self._fail_all(lambda f: True, reason)
        for flight in services:
            report_service_lost(self.sink, flight.uid, ServiceLost(
                f"service '{flight.name}' ({flight.uid}) was lost with its pilot: {reason}"))

    def _fail_all(self, which: Any, message: str) -> None:
        with self._lock:
            lost = [f for f in self._flights.values() if which(f)]
            for flight in lost:
                del self._flights[flight.rp_uid]
                self._rp_uid.pop(flight.uid, None)
        for flight in lost:
            self._forget(flight)
            if flight.staged is not None:
                _rp_staging.discard(flight.staged)
            self.sink.failed(flight.uid, BackendLost(f"task '{flight.name}': {message}"))
