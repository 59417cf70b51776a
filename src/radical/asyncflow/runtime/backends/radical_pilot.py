"""Run tasks on a Radical.Pilot pilot: a laptop (``local.localhost``) or an HPC site.

``RadicalExecutionBackend({'resource': 'local.localhost'})`` owns one RP
session, one pilot and one task manager.  How tasks travel:

* **Executable tasks** are native RP tasks (see :mod:`._rp_tasks` for how
  their bash quoting survives RP's launch script).  ``stdout`` is the value;
  a non-zero exit is an :class:`ExecutableError` with RP's stderr.
* **Function tasks** (``def`` and ``async def``) run in RAPTOR, RP's
  function-task overlay: one master and ``raptor['workers']`` workers, started
  on the pilot by the first function task (so an executables-only workflow
  pays nothing), each worker running ``raptor['cores_per_worker']`` tasks at a
  time.  The call travels cloudpickled (see :mod:`._rp_call`).
* ``task_description`` keys are RP ``TaskDescription`` fields
  (:data:`._rp_tasks.TASK_KEYS`); RP validates values, and a task that can
  never fit the pilot fails at once with :class:`TaskDescriptionError`.
* **Files** (``staging=``): ``"shared"`` (default on ``local.*``) gives tasks
  the engine's absolute paths, for resources that see the client's
  filesystem; ``"sandbox"`` (default elsewhere) gives them names relative to
  their RP task sandbox and stages the files in and out (:mod:`._rp_staging`).
* **Services** (``service=True`` executables) are ``rp.TASK_SERVICE`` tasks,
  ready at their first stdout line or the ``ready`` regex's first match, read
  from their sandbox by a watcher thread (:mod:`._rp_services`); once ready
  they are watched until they end (``ServiceLost``) or shutdown cancels them.

Threads: the engine calls :meth:`submit` and :meth:`cancel` on its loop; they
only validate and enqueue.  One submitter thread hands tasks to RP in bulk
(RP's ``submit_tasks`` blocks for a moment).  Cancellation is reported at
once and RP is told to kill the task in the background.  What RP, the
service watcher and the pilot report, the bookkeeping of tasks in flight, and
how a lost pilot or RAPTOR fails its tasks: :mod:`._rp_reports`.

Shutdown closes the session (which cancels the pilot), then kills any process
still running with its working directory inside the backend's private
directory (RP can leave task processes behind) and removes that directory,
unless the pilot failed (kept for its logs) or ``keep_sandbox=True``.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

from ...errors import BackendError, BackendLost
from .._util import in_thread
from . import _rp_services, _rp_setup, _rp_staging, _rp_tasks
from ._rp_reports import Reports
from ._rp_services import Starting
from ._rp_tasks import Capacity, Flight
from .base import ExecutionBackend, TaskSpec

log = logging.getLogger("radical.asyncflow")
_STOP = ("stop", None)


class RadicalExecutionBackend(Reports, ExecutionBackend):
    """Tasks on one Radical.Pilot pilot.

    ``resources`` is a ``PilotDescription`` dict; defaults: ``local.localhost``,
    ``cores`` = this machine's, ``runtime`` one day (minutes), ``exit_on_error``
    False, and for ``local.*`` resources a sandbox in a private temporary
    directory.  ``raptor`` sizes the function-task overlay: ``{'workers': 1,
    'cores_per_worker': N}``.  ``base_dir`` is where that private directory
    is made (default: the system temp dir).  ``startup_timeout`` bounds the
    wait for the pilot (seconds; default 300 for local resources, none for
    batch queues).  ``report=True`` shows RP's progress output.  ``staging``
    is how file arguments reach tasks: ``"shared"`` (paths on a filesystem
    the pilot's nodes share with this machine; default for ``local.*``) or
    ``"sandbox"`` (staged in and out of each task's sandbox; default
    elsewhere).
    """

    description_keys = _rp_tasks.TASK_KEYS
    supports_services = True
    STAGING = ("shared", "sandbox")

    def __init__(
        self,
        resources: Mapping[str, Any] | None = None,
        *,
        raptor: Mapping[str, Any] | None = None,
        name: str | None = None,
        base_dir: str | None = None,
        keep_sandbox: bool | None = None,
        startup_timeout: float | None = -1.0,
        report: bool | None = None,
        staging: str | None = None,
    ) -> None:
        super().__init__(name)
        self.resources = dict(resources or {})
        resource = str(self.resources.get("resource") or "local.localhost")
        self.staging = staging or ("shared" if _rp_setup.is_local(resource) else "sandbox")
        if self.staging not in self.STAGING:
            raise ValueError(f"RadicalExecutionBackend(staging={staging!r}): expected one of "
                             f"{', '.join(map(repr, self.STAGING))}")
        self.stages_files = self.staging == "sandbox"
        self.raptor_options = {"workers": 1, "cores_per_worker": 0, **(raptor or {})}
        self.keep_sandbox = keep_sandbox
        self._base_dir = base_dir
        self._startup_timeout = startup_timeout
        self._report = report
        self.base: str | None = None
        self.session: Any = None
        self.pilot: Any = None
        self.capacity: Capacity | None = None
        self._rp: Any = None
        self._tmgr: Any = None
        self._lock = threading.Lock()
        self._flights: dict[str, Flight] = {}  # rp uid -> flight
        self._rp_uid: dict[str, str] = {}  # our uid -> rp uid
        self._ids = itertools.count(1)
        self._token = uuid.uuid4().hex[:6]
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._submitter: threading.Thread | None = None
        self._raptor: set[str] = set()  # uids of the running master and workers
        self._raptor_id: str | None = None
        self._lost: str | None = None
        self._serving: dict[str, Flight] = {}  # rp uid -> a service reported ready
        self._watcher = _rp_services.Watcher(self._service_ready, self.name)
        self._stager = _rp_staging.Stager()
        self._closing = False
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        await in_thread(self._start_sync)
        self._started = True

    def _start_sync(self) -> None:
        _rp_setup.pilot_description(self.resources, "")  # refuse bad keys before any work
        _rp_setup.prepare_environment(self._report)
        self.base = _rp_setup.make_base_dir(self._base_dir)
        try:
            self._open(_rp_setup.pilot_description(self.resources, self.base))
        except BaseException as exc:
            self._close_sync(failed=self.pilot is not None)
            if isinstance(exc, BackendError):
                raise
            raise BackendError(f"RadicalExecutionBackend could not start: "
                               f"{type(exc).__name__}: {exc}") from exc

    def _open(self, desc: dict[str, Any]) -> None:
        import radical.pilot as rp

        self._rp = rp
        self.session = rp.Session(cfg={"base": self.base})
        pmgr = rp.PilotManager(self.session)
        self._tmgr = rp.TaskManager(self.session)
        self._tmgr.register_callback(self._on_task)
        pmgr.register_callback(self._on_pilot)
        self.pilot = pmgr.submit_pilots(rp.PilotDescription(desc))
        self._tmgr.add_pilots(self.pilot)
        state = self.pilot.wait(state=[rp.PMGR_ACTIVE, *rp.FINAL], timeout=self._wait_limit(desc))
        if state != rp.PMGR_ACTIVE:
            raise BackendError(f"Radical.Pilot pilot on {desc['resource']!r} did not become "
                               f"active: {self._pilot_reason(state)}")
        self.capacity = Capacity.from_details(desc["resource"], self.pilot.resource_details)
        self._submitter = threading.Thread(target=self._submit_loop, daemon=True,
                                           name=f"raf-rp-submit-{self.name}")
        self._submitter.start()

    def _wait_limit(self, desc: Mapping[str, Any]) -> float | None:
        if self._startup_timeout is None or self._startup_timeout >= 0:
            return self._startup_timeout
        return 300.0 if _rp_setup.is_local(desc["resource"]) else None

    async def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        await in_thread(self._close_sync, self._lost is not None)

    def _close_sync(self, failed: bool = False) -> None:
        self._closing = True
        self._watcher.close()
        with self._lock:  # every service on the pilot, ready or still starting
            services = [*self._serving, *(u for u, f in self._flights.items() if f.service)]
            self._serving = {}
        if self._submitter is not None:
            if services:
                self._queue.put(("cancel", services))
            self._queue.put(_STOP)
            self._submitter.join(timeout=30)
        self._fail_all(lambda f: True, "the backend was shut down")
        self._stager.close()
        t0 = time.monotonic()
        dirs = [d for d in (self._local_pilot_dir(), self.base) if d]
        if dirs[:-1] and not self.keep_sandbox:
            # RP's own pilot cancellation waits up to 11 s for the agent; ending a
            # local agent the way a batch system ends a job takes a fraction of that
            _rp_setup.sweep(dirs[0], grace=0.5)
        if self.session is not None:
            closer = threading.Thread(target=self._close_session, daemon=True,
                                      name="raf-rp-close")
            closer.start()
            closer.join(timeout=60)
        t1 = time.monotonic()
        killed = sum(_rp_setup.sweep(d) for d in dirs)
        log.debug("radical.pilot: session closed in %.1f s, killed %d leftover process(es) "
                  "in %.1f s", t1 - t0, killed, time.monotonic() - t1)
        if self.base is None:
            return
        keep = self.keep_sandbox if self.keep_sandbox is not None else failed
        if keep:
            log.warning("radical.pilot: session files kept in %s", self.base)
        else:
            _rp_setup.remove_tree(self.base)

    def _local_pilot_dir(self) -> str | None:
        """This pilot's sandbox, when it is on this machine."""
        if self.pilot is None or not _rp_setup.is_local(self.pilot.resource or ""):
            return None
        return self._visible_pilot_dir()

    def _pilot_path(self) -> str:
        """The pilot sandbox's path on the pilot's resource."""
        url = str(self.pilot.pilot_sandbox or "") if self.pilot is not None else ""
        return urllib.parse.urlparse(url).path.rstrip("/")

    def _visible_pilot_dir(self) -> str | None:
        """The pilot sandbox, when this machine can read it (local, or a shared filesystem)."""
        path = self._pilot_path()
        return path if path and os.path.isdir(path) else None

    def _pilot_reason(self, state: str | None) -> str:
        desc = _rp_setup.pilot_description(self.resources, self.base or "")
        return _rp_setup.pilot_reason(self.pilot, desc, state, state in self._rp.FINAL,
                                      self._local_pilot_dir(), self.base)

    def _close_session(self) -> None:
        try:
            self.session.close(download=False)
        except Exception as exc:  # shutdown continues with the sweep
            log.warning("radical.pilot: session close failed: %s", exc)
        _rp_setup.remove_temp_litter(str(self.session.uid))

    # -- submission ----------------------------------------------------------------
    def submit(self, spec: TaskSpec) -> None:
        if self._lost is not None:
            raise BackendLost(f"task '{spec.name}': {self._lost}")
        rp_uid = f"raf.{self._token}.{next(self._ids):06d}"
        staged = self._stager.plan(self._rp, spec, rp_uid) if self.stages_files else None
        pilot_dir = self._visible_pilot_dir() if spec.service else None
        pattern = _rp_services.check(spec, pilot_dir) if spec.service else None
        td = _rp_tasks.build_description(self._rp, spec, rp_uid, staged)
        if self.capacity is not None:
            self.capacity.check(spec.name, td)
        flight = Flight(spec.uid, rp_uid, spec.name, spec.kind, spec.command, td, staged)
        if pilot_dir is not None:
            sandbox = _rp_staging.sandbox_path(pilot_dir, rp_uid, td.sandbox)
            out, err, status = _rp_services.output_paths(sandbox, rp_uid, td)
            flight.service = Starting(spec.uid, rp_uid, spec.name, out, err, status, pattern)
        with self._lock:
            self._flights[rp_uid] = flight
            self._rp_uid[spec.uid] = rp_uid
        if flight.service is not None:
            self._watcher.add(flight.service)
        self._queue.put(("submit", flight))

    def cancel(self, uid: str, reason: str) -> None:
        with self._lock:
            rp_uid = self._rp_uid.pop(uid, None)
            flight = self._flights.pop(rp_uid, None) if rp_uid else None
        if flight is None:
            return  # finished already; its outcome is on its way
        self._forget(flight, orphan=True)
        self.sink.cancelled(uid, reason)
        self._queue.put(("cancel", [rp_uid]))

    def _submit_loop(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=1.0)]
            except queue.Empty:
                self._check_pilot()  # in case RP's callback went astray
                continue
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = _STOP in batch
            try:
                self._perform(batch)
            except Exception as exc:  # fail what we could not hand over
                log.exception("radical.pilot: submission failed")
                self._fail_batch(batch, exc)
            if stop:
                return
            self._check_pilot()

    def _perform(self, batch: list[tuple[str, Any]]) -> None:
        with self._lock:
            tds = [f.td for op, f in batch if op == "submit" and f.rp_uid in self._flights]
        cancels = [uid for op, uids in batch if op == "cancel" for uid in uids]
        if any(td.mode == self._rp.TASK_FUNCTION for td in tds):
            raptor_id = self._ensure_raptor()
            for td in tds:
                if td.mode == self._rp.TASK_FUNCTION:
                    td.raptor_id = raptor_id
        if tds:
            self._tmgr.submit_tasks(tds)
        if cancels:
            self._tmgr.cancel_tasks(cancels)

    def _fail_batch(self, batch: list[tuple[str, Any]], exc: Exception) -> None:
        uids = {f.rp_uid for op, f in batch if op == "submit"}
        self._fail_all(lambda f: f.rp_uid in uids,
                       f"Radical.Pilot refused the submission: {type(exc).__name__}: {exc}")

    def _ensure_raptor(self) -> str:
        """Start a RAPTOR master and its workers on the pilot, once (submitter thread)."""
        if self._raptor_id is not None:
            return self._raptor_id
        rp = self._rp
        master = self.pilot.submit_raptors(rp.TaskDescription({"mode": rp.RAPTOR_MASTER}))[0]
        cores = int(self.raptor_options["cores_per_worker"]) or self._worker_cores()
        workers = [rp.TaskDescription({
            "mode": rp.RAPTOR_WORKER, "raptor_id": master.uid, "cores_per_rank": cores,
            "environment": _rp_setup.worker_environment()})
            for _ in range(int(self.raptor_options["workers"]))]
        started = master.submit_workers(workers)
        with self._lock:
            self._raptor = {master.uid, *(w.uid for w in started)}
            self._raptor_id = master.uid
        return master.uid

    def _worker_cores(self) -> int:
        machine = os.cpu_count() or 1
        if self.capacity is None:
            return machine
        return max(1, min(machine, self.capacity.cores_per_node - 1))
