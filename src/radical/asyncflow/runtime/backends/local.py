"""Run tasks on this machine: threads (default) or processes, and subprocesses.

* ``def`` function tasks run in a thread pool (or, with ``processes=True``, a
  process pool; functions and values travel with cloudpickle).
* ``async def`` function tasks run on the engine's event loop in thread mode
  (cancellable at their next ``await``), or under ``asyncio.run`` in a worker
  process in process mode.
* Executable tasks run as subprocesses in their own process group, watched by
  at most ``max_procs`` worker threads (see :mod:`._commands`).
* Executable **service** tasks (``service=True``) are started by
  :mod:`..services`, reported ready at their ready line, kept running outside
  the ``max_procs`` limit, watched (a death is reported as
  ``sink.service_lost``) and stopped by process group at shutdown.

Process mode survives dying workers.  A killed worker breaks a
``ProcessPoolExecutor`` for good and fails every future in it, so the backend
rebuilds the pool and resubmits what was in flight.  Each worker writes the
token of the task it is running into a shared-memory slot, so a death is
charged only to the task that was running on the dead worker (Dask's
"suspicious" count); a task charged more than ``allowed_failures`` times fails
with :class:`WorkerLost` while the rest of the run completes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ...errors import BackendLost, WorkerLost
from .. import services
from .._util import in_thread
from . import _procworker
from ._commands import CommandPool
from .base import ExecutionBackend, TaskSpec, report_service_lost

_GONE = object()
#: portable resource keys (Radical.Pilot style) accepted and ignored locally
RESOURCE_KEYS = frozenset(
    {
        "ranks",
        "cores_per_rank",
        "gpus_per_rank",
        "mem_per_rank",
        "gpu_type",
        "threading_type",
        "named_env",
        "tags",
        "priority",
        "lfs_per_rank",
        "use_mpi",
        "ranks_per_node",
        "partition",
    }
)


class LocalExecutionBackend(ExecutionBackend):
    """Threads, processes and subprocesses on the local machine.

    ``LocalExecutionBackend()``; ``LocalExecutionBackend(ThreadPoolExecutor(8))``
    or ``(ProcessPoolExecutor())`` with your own executor;
    ``LocalExecutionBackend({'max_workers': 4, 'processes': True})`` with
    executor options as a dict.  ``task_description`` keys: ``cwd``, ``env``,
    ``shell`` (False: no shell, argv split with shlex), ``grace`` (seconds
    between SIGTERM and SIGKILL), plus Radical.Pilot resource keys, which are
    accepted and ignored so that HPC workflows run unchanged on a laptop.
    """

    description_keys = (
        frozenset({"cwd", "env", "shell", "grace", services.READY_KEY}) | RESOURCE_KEYS
    )
    supports_services = True

    def __init__(
        self,
        executor: concurrent.futures.Executor | Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
        max_workers: int | None = None,
        processes: bool = False,
        allowed_failures: int = 3,
        grace: float = 5.0,
        max_procs: int | None = None,
    ) -> None:
        options: dict[str, Any] = {}
        if isinstance(executor, Mapping):
            options = dict(executor)
            processes = bool(options.pop("processes", processes))
            name = options.pop("name", name)
            executor = None
        if max_workers is not None:
            options["max_workers"] = max_workers
        super().__init__(name)
        self._executor = executor
        self._pool_options = options
        self._processes = processes or isinstance(executor, concurrent.futures.ProcessPoolExecutor)
        self.allowed_failures = allowed_failures
        self.grace = grace
        self._max_procs = max_procs or max(8, 4 * (os.cpu_count() or 1))
        self._running: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: _ProcessPool | None = None
        self._threads: _ThreadPool | None = None
        self._commands: CommandPool | None = None
        self._services: dict[str, services.LiveService] = {}

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._processes:
            given = (
                self._executor
                if isinstance(self._executor, concurrent.futures.ProcessPoolExecutor)
                else None
            )
            self._pool = _ProcessPool(self, given, self._pool_options.get("max_workers"))
        elif self._executor is None:
            self._threads = _ThreadPool(self._pool_options.get("max_workers"))
        self._started = True

    # -- submission ------------------------------------------------------------
    def submit(self, spec: TaskSpec) -> None:
        if spec.kind == "executable":
            if spec.service:
                self._track_task(spec, self._run_service(spec))
                return
            if self._commands is None:
                assert self._loop is not None
                self._commands = CommandPool(self.sink, self._loop, self._max_procs, self.grace)
            self._commands.submit(spec)
        elif self._pool is not None:
            self._pool.submit(spec)
        elif spec.is_async:
            self._track_task(spec, spec.function(*spec.args, **spec.kwargs))  # type: ignore[misc]
        else:
            self._submit_thread(spec)

    def _submit_thread(self, spec: TaskSpec) -> None:
        self._running[spec.uid] = None
        if self._threads is not None:
            self._threads.put((self, spec))
            return
        try:
            cf = self._executor.submit(self._run_in_thread, spec)  # type: ignore[union-attr]
        except RuntimeError as exc:  # the user's executor was shut down underneath us
            self._running.pop(spec.uid, None)
            raise BackendLost(
                f"backend {self.name!r}: its executor no longer accepts work ({exc}); "
                "was it shut down while the engine was running?"
            ) from None
        if spec.uid in self._running:
            self._running[spec.uid] = cf

    def _run_in_thread(self, spec: TaskSpec) -> None:
        """Runs in a worker thread; reports unless the task was cancelled meanwhile."""
        uid, running = spec.uid, self._running
        if uid not in running:
            return  # cancelled before it started
        try:
            value = spec.function(*spec.args, **spec.kwargs)  # type: ignore[misc]
        except BaseException as exc:
            if running.pop(uid, _GONE) is not _GONE:
                self.sink.failed(uid, exc)
        else:
            if running.pop(uid, _GONE) is not _GONE:
                self.sink.succeeded(uid, value)

    def _track_task(self, spec: TaskSpec, coro: Any) -> None:
        assert self._loop is not None
        self._running[spec.uid] = self._loop.create_task(self._report(spec.uid, coro))

    async def _report(self, uid: str, coro: Any) -> None:
        try:
            value = await coro
        except asyncio.CancelledError:
            reason = self._running.pop(uid, "cancelled")
            self.sink.cancelled(uid, reason if isinstance(reason, str) else "cancelled")
            return
        except BaseException as exc:
            self._running.pop(uid, None)
            self.sink.failed(uid, exc)
            return
        self._running.pop(uid, None)
        self.sink.succeeded(uid, value)

    async def _run_service(self, spec: TaskSpec) -> services.ServiceInfo:
        desc = spec.description
        assert spec.command is not None
        self.sink.running(spec.uid)
        live = await services.start(
            spec.command,
            name=spec.name,
            uid=spec.uid,
            ready=desc.get(services.READY_KEY),
            cwd=desc.get("cwd"),
            env=desc.get("env"),
            shell=desc.get("shell", True),
            grace=desc.get("grace", self.grace),
        )
        self._services[spec.uid] = live
        live.watch(self._service_lost)
        assert live.info is not None
        return live.info

    def _service_lost(self, uid: str, error: BaseException) -> None:
        self._services.pop(uid, None)
        report_service_lost(self.sink, uid, error)

    # -- cancellation and shutdown ----------------------------------------------
    def cancel(self, uid: str, reason: str) -> None:
        if self._pool is not None and self._pool.cancel(uid, reason):
            return
        if self._commands is not None and self._commands.cancel(uid, reason):
            return
        handle = self._running.get(uid, _GONE)
        if handle is _GONE:
            return  # already finished; its outcome is on its way
        if isinstance(handle, asyncio.Task):
            self._running[uid] = reason
            handle.cancel(reason)
            return
        self._running.pop(uid, None)
        if isinstance(handle, concurrent.futures.Future):
            handle.cancel()  # a thread that already runs cannot be stopped; its result is dropped
        self.sink.cancelled(uid, reason)

    async def shutdown(self) -> None:
        tasks = [t for t in self._running.values() if isinstance(t, asyncio.Task)]
        for task in tasks:
            task.cancel("backend shutdown")
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        live, self._services = list(self._services.values()), {}
        if live:
            await asyncio.gather(*(s.stop() for s in live), return_exceptions=True)
        if self._pool is not None:
            await self._pool.shutdown()
        if self._commands is not None:
            await in_thread(self._commands.shutdown)
        if self._threads is not None:
            await in_thread(self._threads.shutdown)
        if self._executor is not None:
            await in_thread(
                functools.partial(self._executor.shutdown, wait=True, cancel_futures=True)
            )


class _ThreadPool:
    """A minimal thread pool: a C ``SimpleQueue`` of callables and fixed workers.

    ``ThreadPoolExecutor.submit`` builds a Future and takes two locks per call;
    the backend reports outcomes itself, so a bare queue halves the cost.
    """

    def __init__(self, max_workers: int | None) -> None:
        self.size = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._work, name=f"raf-worker-{i}", daemon=True)
            for i in range(self.size)
        ]
        for thread in self.threads:
            thread.start()

    def put(self, job: tuple[LocalExecutionBackend, TaskSpec]) -> None:
        self.queue.put(job)

    def _work(self) -> None:
        get = self.queue.get
        while (job := get()) is not None:
            backend, spec = job
            backend._run_in_thread(spec)

    def shutdown(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()


class _ProcessPool:
    """A self-healing process pool (see the module docstring)."""

    def __init__(
        self,
        backend: LocalExecutionBackend,
        given: concurrent.futures.ProcessPoolExecutor | None,
        max_workers: int | None,
    ):
        self.backend = backend
        self.max_workers = (
            max_workers or getattr(given, "_max_workers", None) or (os.cpu_count() or 1)
        )
        self.tokens = itertools.count(1)
        self.flights: dict[str, _Flight] = {}
        self.deaths: dict[str, int] = {}
        self.generation = 0
        self.ctx = multiprocessing.get_context("forkserver")
        self.pool, self.slots = given, None
        if given is None:
            self.pool, self.slots = self._new_pool()

    def _new_pool(self) -> tuple[concurrent.futures.ProcessPoolExecutor, Any]:
        slots = self.ctx.RawArray("q", 2 * self.max_workers + 2)
        counter = self.ctx.RawValue("q", 0)
        lock = self.ctx.Lock()
        pool = concurrent.futures.ProcessPoolExecutor(
            self.max_workers,
            mp_context=self.ctx,
            initializer=_procworker.init,
            initargs=(slots, counter, lock, self.max_workers),
        )
        return pool, slots

    def submit(self, spec: TaskSpec) -> None:
        payload = _procworker.dump_call(spec)
        flight = _Flight(spec, payload, next(self.tokens), self.generation)
        self.flights[spec.uid] = flight
        self._send(flight)

    def _send(self, flight: _Flight) -> None:
        flight.generation = self.generation
        cf = self.pool.submit(_procworker.call, flight.payload, flight.token)  # type: ignore[union-attr]
        flight.cf = cf
        cf.add_done_callback(functools.partial(self._done, flight.spec.uid))

    def _done(self, uid: str, cf: concurrent.futures.Future[Any]) -> None:
        """Runs in the pool's management thread."""
        flight = self.flights.get(uid)
        if flight is None or flight.cf is not cf or cf.cancelled():
            return
        exc = cf.exception()
        sink = self.backend.sink
        if isinstance(exc, BrokenProcessPool):
            loop = self.backend._loop
            assert loop is not None
            loop.call_soon_threadsafe(self._broken, flight.generation)
            return
        self.flights.pop(uid, None)
        if exc is not None:
            sink.failed(uid, exc)
            return
        ok, value = _procworker.load_outcome(cf.result())
        (sink.succeeded if ok else sink.failed)(uid, value)

    def _broken(self, generation: int) -> None:
        """On the loop: the pool of ``generation`` broke; rebuild, charge, resubmit."""
        if generation != self.generation or self.slots is None:
            if self.slots is None:  # a user-given pool: cannot attribute, fail in-flight work
                self._fail_all(generation)
            return
        old, slots = self.pool, self.slots
        dead = {
            pid for pid, proc in getattr(old, "_processes", {}).items() if proc.exitcode is not None
        }
        culprits = {slots[i + 1] for i in range(0, len(slots), 2) if slots[i] in dead}
        self.generation += 1
        self.pool, self.slots = self._new_pool()
        old.shutdown(wait=False, cancel_futures=True)  # type: ignore[union-attr]
        for uid, flight in list(self.flights.items()):
            if flight.generation != generation:
                continue
            if flight.token in culprits:
                self.deaths[uid] = self.deaths.get(uid, 0) + 1
            if self.deaths.get(uid, 0) > self.backend.allowed_failures:
                self.flights.pop(uid)
                self.backend.sink.failed(
                    uid,
                    WorkerLost(
                        f"task '{flight.spec.name}' ({uid}): its worker process died "
                        f"{self.deaths[uid]} times "
                        f"(allowed_failures={self.backend.allowed_failures})"
                    ),
                )
            else:
                self._send(flight)

    def _fail_all(self, generation: int) -> None:
        for uid, flight in list(self.flights.items()):
            if flight.generation == generation:
                self.flights.pop(uid)
                self.backend.sink.failed(
                    uid,
                    WorkerLost(
                        f"task '{flight.spec.name}': the process pool broke (a worker died)"
                    ),
                )

    def cancel(self, uid: str, reason: str) -> bool:
        flight = self.flights.pop(uid, None)
        if flight is None:
            return False
        if flight.cf is not None and not flight.cf.cancel() and self.slots is not None:
            slots = self.slots  # running: kill the worker that runs it; the pool heals
            for i in range(0, len(slots), 2):
                if slots[i + 1] == flight.token and slots[i] > 0:
                    try:
                        os.kill(slots[i], signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        self.backend.sink.cancelled(uid, reason)
        return True

    async def shutdown(self) -> None:
        pool = self.pool
        if pool is not None:
            await in_thread(functools.partial(pool.shutdown, wait=True, cancel_futures=True))


class _Flight:
    __slots__ = ("cf", "generation", "payload", "spec", "token")

    def __init__(self, spec: TaskSpec, payload: bytes, token: int, generation: int) -> None:
        self.spec = spec
        self.payload = payload
        self.token = token
        self.generation = generation
        self.cf: concurrent.futures.Future[Any] | None = None
