"""Run tasks on a Dask ``distributed`` cluster.

The backend talks to the scheduler through an *asynchronous* ``Client`` that
lives on the engine's event loop, so submitting, watching and cancelling cost
no thread hops and no blocking calls:

* ``submit`` pickles the call itself (an unpicklable argument fails that task
  at once with a :class:`SerializationError` naming it) and hands
  :func:`._daskworker.call` or :func:`._daskworker.shell` to
  ``client.submit``; Dask batches the graph updates.
* One small coroutine per task waits on the Dask future's state.  Finished
  futures are collected and fetched with one ``client.gather`` per batch:
  results that finish while a gather is in flight ride on the next one, so a
  fan-out of thousands of tasks costs a handful of round trips, not one each.
* Cancellation cancels the Dask future (batched the same way).  A running
  function cannot be interrupted on a worker (its result is dropped); a
  running executable is killed by process group (see :mod:`._daskworker`).
* A task whose workers keep dying is retried by the scheduler until
  ``distributed.scheduler.allowed-failures`` is exhausted; the resulting
  ``KilledWorker`` becomes :class:`WorkerLost`.
* A lost cluster fails every unfinished task with :class:`BackendLost`, never a
  hang.  If the scheduler goes away the client cancels every future with
  reason ``scheduler-connection-lost``.  A cluster can also lose its workers
  while its scheduler lives on: closing a thread-based ``LocalCluster`` waits
  for the task threads it cannot interrupt, with the tasks queued and no
  worker left.  While tasks are in flight a heartbeat (every
  ``HEARTBEAT`` s) therefore watches the cluster the backend started
  (closing means lost) and the number of workers: none for
  ``no_worker_timeout`` seconds means lost.  That timeout defaults to 5 s for
  a cluster the backend started and to None (wait) for an attached one,
  since adaptive clusters (dask-jobqueue) legitimately scale to zero.

Ownership: ``DaskExecutionBackend()`` and ``DaskExecutionBackend({...})``
start a ``LocalCluster`` (processes on 127.0.0.1, no dashboard, unless the
options say otherwise) and close it on shutdown.  ``client=`` or
``address=`` attach to a running cluster and leave it running.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from ...errors import BackendError, BackendLost, WorkerLost
from . import _daskworker
from ._daskconfig import DESCRIPTION_KEYS, cluster_defaults, submit_options
from ._daskhost import ClusterHost
from ._daskrefs import KeptResults
from .base import ExecutionBackend, TaskSpec

_LOST_STATES = frozenset({"pending", "lost"})
LOOPBACK_ANY_PORT = "127.0.0.1:0"
HEARTBEAT = 0.25  # seconds between cluster checks while tasks are in flight


class DaskExecutionBackend(ExecutionBackend):
    """Tasks on a Dask cluster: a new ``LocalCluster`` or an existing one.

    ``DaskExecutionBackend()``; ``DaskExecutionBackend({'n_workers': 4})`` with
    ``LocalCluster`` keyword arguments; ``DaskExecutionBackend(client=c)`` or
    ``(address='tcp://host:8786')`` to attach.  ``task_description`` keys
    ``resources``, ``retries``, ``workers`` and ``priority`` go to
    ``client.submit``; the portable Radical.Pilot resource keys (``ranks``,
    ``cores_per_rank``, ...) are accepted and ignored, as on the local backend.
    ``grace`` is the time between SIGTERM and SIGKILL when a running
    executable is cancelled; ``no_worker_timeout`` is how long
    tasks may wait on a cluster without workers before they fail with
    :class:`BackendLost` (``"auto"``: 5 s on a cluster the backend started,
    forever on an attached one).
    """

    description_keys = DESCRIPTION_KEYS

    def __init__(
        self,
        cluster_options: Mapping[str, Any] | None = None,
        *,
        client: Any = None,
        address: str | None = None,
        name: str | None = None,
        grace: float = 5.0,
        no_worker_timeout: float | Literal["auto"] | None = "auto",
    ) -> None:
        if sum(x is not None for x in (cluster_options, client, address)) > 1:
            raise BackendError("DaskExecutionBackend takes cluster options, client= or address=, "
                               "not several of them")
        super().__init__(name)
        self.grace = grace
        owned = client is None and address is None
        self.no_worker_timeout = (5.0 if owned else None) if no_worker_timeout == "auto" \
            else no_worker_timeout
        self._cluster_options = cluster_defaults(cluster_options or {})
        self._given_client = client
        self._address = address
        self._client: Any = None
        self._cluster: Any = None
        self._host: ClusterHost | None = None
        self._owns_client = False
        self._token = uuid.uuid4().hex[:8]
        self._flights: dict[str, _Flight] = {}
        self._kept = KeptResults()
        self._ready: dict[str, Any] = {}  # uid -> finished Dask future, awaiting gather
        self._to_cancel: list[Any] = []
        self._chores: set[asyncio.Task[Any]] = set()
        self._gathering = False
        self._beating = False
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        from distributed import Client, LocalCluster

        loop = asyncio.get_running_loop()
        given = self._given_client
        try:
            if given is not None and _runs_on(given, loop):
                self._client = given
            else:
                address = self._address or (given.scheduler.address if given else None)
                if address is None and self._cluster_options["processes"]:
                    self._host = await ClusterHost.start(self._cluster_options)
                    address = self._host.address
                elif address is None:
                    self._cluster = await LocalCluster(asynchronous=True, **self._cluster_options)
                    address = self._cluster.scheduler_address
                self._client = await Client(address, asynchronous=True)
                self._owns_client = True
        except Exception as exc:
            await self._close_owned()
            raise BackendError(f"DaskExecutionBackend could not start: "
                               f"{type(exc).__name__}: {exc}") from exc
        self._started = True

    async def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        flights, self._flights = self._flights, {}
        self._ready.clear()
        self._kept.clear()
        for uid in flights:
            self.sink.cancelled(uid, "backend shutdown")
        futures = [f.future for f in flights.values()] + self._to_cancel
        self._to_cancel = []
        if futures and self._client is not None and self._client.status == "running":
            with contextlib.suppress(Exception):
                await self._client.cancel(futures, reason="backend shutdown")
        for task in list(self._chores):
            task.cancel()
        for flight in flights.values():
            flight.watcher.cancel()
        await asyncio.gather(*self._chores, *(f.watcher for f in flights.values()),
                             return_exceptions=True)
        await self._close_owned()

    async def _close_owned(self) -> None:
        if self._owns_client and self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.close()
        if self._cluster is not None:
            await self._cluster.close()
        if self._host is not None:
            await self._host.close()
        self._client = self._cluster = self._host = None

    @property
    def client(self) -> Any:
        """The asynchronous ``distributed.Client`` (None before start)."""
        return self._client

    @property
    def cluster(self) -> Any:
        """The in-process ``LocalCluster`` this backend started (``processes=False``), if any."""
        return self._cluster

    @property
    def address(self) -> str | None:
        """The scheduler's address (None before start)."""
        return self._client.scheduler.address if self._client is not None else self._address

    # -- submission ----------------------------------------------------------------
    def submit(self, spec: TaskSpec) -> None:
        client = self._client
        if client is None or self._closed or client.status != "running":
            raise BackendLost(f"task '{spec.name}' ({spec.uid}): the Dask client is "
                              f"{'closed' if client is None else client.status}")
        options = submit_options(spec)
        key = f"{spec.name}-{self._token}-{spec.uid}-{spec.attempt}"
        if spec.kind == "executable":
            future = client.submit(_daskworker.shell, spec.name, spec.command, None, None, True,
                                   self.grace, key=key, pure=False, **options)
        else:
            fn_blob = _daskworker.dump_function(spec.function, spec.name)
            args, kwargs, kept = self._swap_kept(spec)
            payload = _daskworker.dump_arguments(spec.name, args, kwargs)
            future = client.submit(_daskworker.call, spec.name, fn_blob, payload, spec.is_async,
                                   *kept, key=key, pure=False, **options)
        watcher = asyncio.get_running_loop().create_task(self._watch(spec.uid, future))
        self._flights[spec.uid] = _Flight(spec, future, watcher)
        if not self._beating:
            self._beating = True
            self._chore(self._heartbeat())

    def _swap_kept(self, spec: TaskSpec) -> tuple[tuple[Any, ...], dict[str, Any], list[Any]]:
        """Large earlier results in the arguments go by reference (see :mod:`._daskrefs`)."""
        if not len(self._kept):
            return spec.args, spec.kwargs, []
        try:
            return self._kept.swap(spec.args, spec.kwargs)
        except Exception:  # an exotic container: send the values themselves
            return spec.args, spec.kwargs, []

    async def _watch(self, uid: str, future: Any) -> None:
        state = future._state  # the same event distributed's own wait() uses
        while state.status in _LOST_STATES:
            await state.wait()
        flight = self._flights.get(uid)
        if flight is None or flight.future is not future:
            return
        if state.status == "finished":
            self._ready[uid] = future
            if not self._gathering:
                self._gathering = True
                self._chore(self._gather())
            return
        del self._flights[uid]
        self.sink.failed(uid, self._failure(flight.spec, state))

    async def _gather(self) -> None:
        try:
            while self._ready:
                batch, self._ready = self._ready, {}
                try:
                    blobs = await self._client.gather(batch, errors="skip")
                except Exception as exc:  # the client or cluster went away
                    for uid in batch:
                        self._lost(uid, f"gathering its result failed: {exc}")
                    continue
                for uid, blob in blobs.items():
                    self._settle(uid, blob)
        finally:
            self._gathering = False

    def _settle(self, uid: str, blob: Any) -> None:
        flight = self._flights.pop(uid, None)
        if flight is None:
            return  # cancelled while its result was on the way
        if blob is None:
            self.sink.failed(uid, self._failure(flight.spec, flight.future._state))
            return
        if flight.spec.kind == "executable":  # a CommandOutput, not a pickle
            self.sink.succeeded(uid, blob)
            return
        try:
            value = _daskworker.load_result(blob)
        except Exception as exc:  # e.g. a class missing on this side
            self.sink.failed(uid, exc)
            return
        self._kept.keep(value, len(blob), flight.future)
        self.sink.succeeded(uid, value)

    async def _heartbeat(self) -> None:
        """Fail what is in flight if the cluster lost its workers for good."""
        try:
            empty_since: float | None = None
            loop = asyncio.get_running_loop()
            while self._flights and not self._closed:
                await asyncio.sleep(HEARTBEAT)
                if self._cluster is not None and self._cluster.status.name in _CLOSING:
                    self._lose_all(f"the LocalCluster is {self._cluster.status.name}")
                    return
                if self.no_worker_timeout is None:
                    continue
                with contextlib.suppress(Exception):  # a lost connection is handled elsewhere
                    empty = not await self._client.nthreads()
                    empty_since = (empty_since or loop.time()) if empty else None
                if empty_since is not None and loop.time() - empty_since >= self.no_worker_timeout:
                    self._lose_all(f"the cluster has had no worker for {self.no_worker_timeout} s")
                    empty_since = None
        finally:
            self._beating = False

    def _lose_all(self, why: str) -> None:
        flights, self._flights = self._flights, {}
        self._ready.clear()
        for uid, flight in flights.items():
            flight.watcher.cancel()
            self.sink.failed(uid, self._lost_error(flight.spec, why))
        futures = [f.future for f in flights.values()]
        if futures and self._client is not None and self._client.status == "running":
            self._chore(self._cancel_futures(futures))

    def _lost(self, uid: str, why: str) -> None:
        flight = self._flights.pop(uid, None)
        if flight is not None:
            self.sink.failed(uid, self._lost_error(flight.spec, why))

    def _lost_error(self, spec: TaskSpec, why: str) -> BackendLost:
        return BackendLost(f"task '{spec.name}' ({spec.uid}): Dask backend {self.name!r} lost "
                           f"its cluster while the task was unfinished: {why}")

    def _failure(self, spec: TaskSpec, state: Any) -> BaseException:
        exc = state.exception
        if state.status == "error" and exc is not None:
            from distributed.scheduler import KilledWorker

            if isinstance(exc, KilledWorker):
                return WorkerLost(
                    f"task '{spec.name}' ({spec.uid}): the Dask workers running it died "
                    f"{exc.allowed_failures + 1} times (allowed_failures={exc.allowed_failures}); "
                    f"the last one was {exc.last_worker.address}")
            return exc.with_traceback(state.traceback) if state.traceback is not None else exc
        reason = getattr(exc, "reason", None) or state.status
        why = "the connection to the scheduler was lost" if reason == "scheduler-connection-lost" \
            else f"its Dask future was cancelled by someone else ({reason})"
        return self._lost_error(spec, why)

    # -- cancellation ------------------------------------------------------------------
    def cancel(self, uid: str, reason: str) -> None:
        flight = self._flights.pop(uid, None)
        self._ready.pop(uid, None)
        if flight is None:
            return  # already finished; its outcome is on its way
        flight.watcher.cancel()
        if not self._to_cancel:
            asyncio.get_running_loop().call_soon(self._flush_cancels)
        self._to_cancel.append(flight.future)
        self.sink.cancelled(uid, reason)

    def _flush_cancels(self) -> None:
        futures, self._to_cancel = self._to_cancel, []
        if futures and self._client is not None and not self._closed:
            self._chore(self._cancel_futures(futures))

    async def _cancel_futures(self, futures: list[Any]) -> None:
        with contextlib.suppress(Exception):
            await self._client.cancel(futures, reason="cancelled by radical.asyncflow")

    def _chore(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    def __repr__(self) -> str:
        where = self._address or ("client" if self._given_client else "LocalCluster")
        return f"DaskExecutionBackend(name={self.name!r}, {where})"


_CLOSING = frozenset({"closing", "closed", "failed"})


class _Flight:
    __slots__ = ("future", "spec", "watcher")

    def __init__(self, spec: TaskSpec, future: Any, watcher: asyncio.Task[None]) -> None:
        self.spec = spec
        self.future = future
        self.watcher = watcher


def _runs_on(client: Any, loop: asyncio.AbstractEventLoop) -> bool:
    """Is ``client`` an asynchronous client on ``loop`` (usable from the engine)?"""
    return bool(getattr(client, "_asynchronous", False)) and \
        getattr(client.loop, "asyncio_loop", None) is loop
