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
import base64
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import Mapping
from typing import Any, Literal

import cloudpickle

from ...errors import BackendError, BackendLost, TaskDescriptionError, WorkerLost
from . import _daskhost, _daskworker
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
    ``client.submit``.  ``grace`` is the time between SIGTERM and SIGKILL
    when a running executable is cancelled; ``no_worker_timeout`` is how long
    tasks may wait on a cluster without workers before they fail with
    :class:`BackendLost` (``"auto"``: 5 s on a cluster the backend started,
    forever on an attached one).
    """

    description_keys = frozenset({"resources", "retries", "workers", "priority"})

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
        self._cluster_options = _cluster_defaults(cluster_options or {})
        self._given_client = client
        self._address = address
        self._client: Any = None
        self._cluster: Any = None
        self._host: _ClusterHost | None = None
        self._owns_client = False
        self._token = uuid.uuid4().hex[:8]
        self._flights: dict[str, _Flight] = {}
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
                    self._host = await _ClusterHost.start(self._cluster_options)
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
            payload = _daskworker.dump_arguments(spec)
            future = client.submit(_daskworker.call, spec.name, fn_blob, payload, spec.is_async,
                                   key=key, pure=False, **options)
        watcher = asyncio.get_running_loop().create_task(self._watch(spec.uid, future))
        self._flights[spec.uid] = _Flight(spec, future, watcher)
        if not self._beating:
            self._beating = True
            self._chore(self._heartbeat())

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
        else:
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


class _ClusterHost:
    """A ``LocalCluster`` in a child process (see :mod:`._daskhost` for why)."""

    def __init__(self, proc: asyncio.subprocess.Process, address: str) -> None:
        self.proc = proc
        self.address = address

    @classmethod
    async def start(cls, options: Mapping[str, Any], timeout: float = 120.0) -> _ClusterHost:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", _daskhost.__name__, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, start_new_session=True)
        host = cls(proc, "")
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(base64.b64encode(cloudpickle.dumps(dict(options))) + b"\n")
            await proc.stdin.drain()
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout)).decode().strip()
        except BaseException:
            await host.close()
            raise
        status, _, host.address = line.partition(" ")
        if status != "ok":
            await host.close()
            raise BackendError(f"the LocalCluster did not start: {host.address or 'no answer'}")
        return host

    async def close(self, timeout: float = 30.0) -> None:
        """Close the host's stdin (it closes the cluster), then make sure it is gone."""
        proc = self.proc
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


class _Flight:
    __slots__ = ("future", "spec", "watcher")

    def __init__(self, spec: TaskSpec, future: Any, watcher: asyncio.Task[None]) -> None:
        self.spec = spec
        self.future = future
        self.watcher = watcher


def _cluster_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """Worker processes, loopback only and no dashboard unless the options say otherwise.

    With ``dashboard_address=None`` Dask still starts HTTP servers (health and
    metrics routes): the scheduler's on port 8787 of every interface, and with
    ``processes=False`` the workers' too.  Pin them to 127.0.0.1, any port.
    """
    out = {"processes": True, "dashboard_address": None, **options}
    if out["processes"]:
        out.setdefault("host", "127.0.0.1")
    else:
        out.setdefault("worker_dashboard_address", LOOPBACK_ANY_PORT)
    if out["dashboard_address"] is None:
        out["scheduler_kwargs"] = {"dashboard": False, "dashboard_address": LOOPBACK_ANY_PORT,
                                   **(out.get("scheduler_kwargs") or {})}
    return out


def _runs_on(client: Any, loop: asyncio.AbstractEventLoop) -> bool:
    """Is ``client`` an asynchronous client on ``loop`` (usable from the engine)?"""
    return bool(getattr(client, "_asynchronous", False)) and \
        getattr(client.loop, "asyncio_loop", None) is loop


def submit_options(spec: TaskSpec) -> dict[str, Any]:
    """``task_description`` keys as ``client.submit`` keywords, validated."""
    desc = spec.description
    if not desc:
        return {}
    out: dict[str, Any] = {}
    for key, value in desc.items():
        check = _CHECKS.get(key)
        if check is None or not check(value):
            raise TaskDescriptionError(
                f"task '{spec.name}': task_description[{key!r}] = {value!r} is not valid for "
                f"Dask ({_EXPECTED.get(key, 'unknown key')})")
        out[key] = value
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_CHECKS = {
    "resources": lambda v: isinstance(v, Mapping) and all(
        isinstance(k, str) and isinstance(n, int | float) and not isinstance(n, bool)
        for k, n in v.items()),
    "retries": lambda v: _is_int(v) and v >= 0,
    "workers": lambda v: isinstance(v, str) or (
        isinstance(v, list | tuple | set | frozenset) and all(isinstance(w, str) for w in v)),
    "priority": _is_int,
}
_EXPECTED = {
    "resources": "a dict of resource name to amount, e.g. {'GPU': 1}",
    "retries": "an int >= 0",
    "workers": "a worker address or host, or a list of them",
    "priority": "an int",
}
