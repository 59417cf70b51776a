"""WorkflowEngine: the public face of the runtime.

An engine owns one event loop: the caller's, when it is created inside one
(``await WorkflowEngine.create(...)``, ``async with WorkflowEngine(...)``), or
its own on a background thread when created from plain code (the sync
style).  Tasks may be called from any thread; their futures settle on the
engine's loop.  State is per engine: two engines never share counters,
records or threads.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..errors import BackendError, EngineClosedError
from .backends.base import ExecutionBackend
from .driver import CURRENT_BLOCK, _Driver, close_endpoints
from .events import Callback
from .files import FileTable
from .futures import TaskFuture
from .loop import LoopThread
from .state import Record
from .tasks import BLOCK, EXECUTABLE, FUNCTION, TaskTemplate, make_decorator

_OVERRIDES: list[Callable[[], ExecutionBackend]] = []


@contextlib.contextmanager
def override_backend(factory: Callable[[], ExecutionBackend]) -> Iterator[None]:
    """While active, every new engine uses ``factory()`` instead of its ``backend=``.

    The user's backend objects are still constructed (that is cheap and starts
    nothing) but never started.  Engines made here also record call sites.
    ``raf compile --trace`` uses this to run a module on a recording dry run.
    """
    _OVERRIDES.append(factory)
    try:
        yield
    finally:
        _OVERRIDES.remove(factory)


class WorkflowEngine(_Driver):
    """Runs tasks and blocks on one or more execution backends.

    ``backend`` is a backend, a list of them (the first is the default; tasks
    pick others with ``backend="name"``), or None for local threads.
    ``dry_run=True`` runs no task body at all.  ``work_dir`` is where
    ``OutputFile``/``InputFile`` names live (default: the current directory).
    """

    def __init__(
        self,
        backend: ExecutionBackend | Sequence[ExecutionBackend] | None = None,
        dry_run: bool = False,
        *,
        work_dir: str | os.PathLike[str] | None = None,
        record_callsites: bool = False,
    ) -> None:
        names: list[str] = []
        if _OVERRIDES:
            names = _backend_names(backend)
            backend, dry_run, record_callsites = _OVERRIDES[-1](), False, True
        self._backends = _backend_table(backend, dry_run)
        for name in names:  # under an override, routed tasks go to the stand-in too
            self._backends.setdefault(name, next(iter(self._backends.values())))
        self._files = FileTable(os.path.abspath(os.fspath(work_dir or os.getcwd())))
        self._default_backend = next(iter(self._backends.values()))
        self._record_callsites = record_callsites
        self._counter = itertools.count(1)
        self._scope: contextvars.ContextVar[str | None] = contextvars.ContextVar(
            "radical_asyncflow_scope", default=None
        )
        self._closed = False  # no new top-level tasks (blocks still running may add members)
        self._final = False  # no new tasks at all
        self._lock = threading.Lock()
        self._shutdown_cf: concurrent.futures.Future[None] | None = None
        self._thread: LoopThread | None = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._thread = LoopThread()
            self._loop = self._thread.loop
            self._loop_tid = self._thread.ident
        else:
            self._loop = loop
            self._loop_tid = threading.get_ident()
        self._init_driver()
        if self._thread is None:
            self._start_task: asyncio.Future[None] = self._loop.create_task(self._start())
            return
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()
        except BaseException:
            self._thread.stop()
            raise
        atexit.register(self._at_exit)

    @classmethod
    async def create(
        cls,
        backend: ExecutionBackend | Sequence[ExecutionBackend] | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> WorkflowEngine:
        """Create an engine on the running event loop and wait until its backends run."""
        engine = cls(backend=backend, dry_run=dry_run, **options)
        await engine._started()
        return engine

    async def _start(self) -> None:
        try:
            for backend in _unique(self._backends.values()):
                backend.bind(self._sink)
                await backend.ensure_started()
        except BaseException as exc:
            self._start_error = exc
            for rec in self._deferred:
                self._launch(rec)
            self._deferred.clear()
            raise
        self._ready = True
        deferred, self._deferred = self._deferred, []
        for rec in deferred:
            self._launch(rec)

    async def _started(self) -> None:
        if self._thread is None:
            await self._start_task

    # -- decorators ----------------------------------------------------------
    def function_task(self, func: Any = None, **options: Any) -> Any:
        """Decorate a ``def`` or ``async def``; its body runs on the backend."""
        return make_decorator(self, FUNCTION, func, options)

    def executable_task(self, func: Any = None, **options: Any) -> Any:
        """Decorate a function returning a shell command; the command runs under bash."""
        return make_decorator(self, EXECUTABLE, func, options)

    def block(self, func: Any = None, **options: Any) -> Any:
        """Decorate a workflow of workflows; its body runs on the engine."""
        return make_decorator(self, BLOCK, func, options)

    # -- calls ---------------------------------------------------------------
    def _new_task(
        self,
        tmpl: TaskTemplate,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        call_desc: Any,
        workflow_id: str | None,
        backend: str | None,
    ) -> TaskFuture:
        block = CURRENT_BLOCK.get()
        if self._closed and (self._final or block is None or block[0] is not self):
            raise EngineClosedError(f"cannot call '{tmpl.name}': the engine was shut down")
        kind = tmpl.kind
        uid = f"{'block' if kind == BLOCK else 'task'}.{next(self._counter):06d}"
        fut = TaskFuture(self, uid, tmpl.name, kind)
        rec = Record(uid, tmpl.name, kind, tmpl.retries)
        rec.options = tmpl
        rec.args = args
        rec.kwargs = kwargs
        rec.future = fut
        fut._rec = rec
        rec.description = {**tmpl.description, **call_desc} if call_desc else tmpl.description
        rec.backend = backend or tmpl.backend
        rec.t_created = time.monotonic()
        if block is not None and block[0] is self:
            rec.parent = block[1]
        rec.workflow_id = (
            workflow_id
            or self._scope.get()
            or (rec.parent.workflow_id if rec.parent is not None else None)
        )
        if self._record_callsites:
            frame = sys._getframe(2)
            rec.callsite = (frame.f_code.co_filename, frame.f_lineno)
        self._post(self._register, rec, None)
        return fut

    # -- grouping and events -----------------------------------------------------
    def workflow_scope(self, workflow_id: str | None = None) -> _Scope:
        """``with``/``async with flow.workflow_scope() as wid:`` tags the tasks created inside."""
        return _Scope(self, workflow_id or f"wf-{next(self._counter):06d}")

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(TaskEvent)`` for every lifecycle event; returns an unsubscriber."""
        return self._events.subscribe(callback)

    @property
    def backends(self) -> dict[str, ExecutionBackend]:
        return dict(self._backends)

    @property
    def backend(self) -> ExecutionBackend:
        return self._default_backend

    @property
    def work_dir(self) -> str:
        """Where ``OutputFile`` and relative ``InputFile`` names live."""
        return self._files.work_dir

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def validate(self) -> None:
        """Check the scheduler's invariants (for tests); runs on the loop."""
        self._call_on_loop(self._sched.validate)

    def _call_on_loop(self, fn: Callable[[], Any]) -> Any:
        if threading.get_ident() == self._loop_tid:
            return fn()
        return asyncio.run_coroutine_threadsafe(_as_coro(fn), self._loop).result()

    # -- shutdown ------------------------------------------------------------------
    def shutdown(self, mode: str = "wait", timeout: float | None = None) -> Any:
        """Stop the engine: blocks in plain code, returns an awaitable in async code.

        ``mode="wait"`` lets submitted work finish (for at most ``timeout``
        seconds, then cancels the rest); ``mode="cancel"`` cancels it now.
        Idempotent.  Afterwards no thread, process or asyncio task of the
        engine is left.
        """
        if mode not in ("wait", "cancel"):
            raise ValueError(f"shutdown mode must be 'wait' or 'cancel', not {mode!r}")
        cf = self._begin_shutdown(mode, timeout)
        if threading.get_ident() == self._loop_tid:
            return asyncio.wrap_future(cf)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            cf.result()
            self._stop_thread()
            return None
        return self._await_shutdown(cf)

    async def _await_shutdown(self, cf: concurrent.futures.Future[None]) -> None:
        await asyncio.wrap_future(cf)
        await asyncio.get_running_loop().run_in_executor(None, self._stop_thread)

    def _begin_shutdown(self, mode: str, timeout: float | None) -> concurrent.futures.Future[None]:
        with self._lock:
            if self._shutdown_cf is not None:
                return self._shutdown_cf
            self._closed = True
            if threading.get_ident() == self._loop_tid:
                cf: concurrent.futures.Future[None] = concurrent.futures.Future()
                task = self._loop.create_task(self._shutdown(mode, timeout))
                task.add_done_callback(lambda t: _copy_outcome(t, cf))
            elif self._loop.is_closed():
                cf = concurrent.futures.Future()
                cf.set_result(None)
            else:
                cf = asyncio.run_coroutine_threadsafe(self._shutdown(mode, timeout), self._loop)
            self._shutdown_cf = cf
            return cf

    async def _shutdown(self, mode: str, timeout: float | None) -> None:
        if not self._ready and self._thread is None and not self._start_task.done():
            with contextlib.suppress(BaseException):
                await self._start_task
        if mode == "wait":
            pending = [rec.future for rec in self._sched.active.values()]
            if pending:
                await asyncio.wait(pending, timeout=timeout)
        self._final = True
        await self._cancel_everything("engine shutdown")
        await close_endpoints(self._endpoints)
        for backend in _unique(self._backends.values()):
            try:
                await backend.shutdown()
            except Exception as exc:
                import logging

                logging.getLogger("radical.asyncflow").warning(
                    "backend %s failed to shut down cleanly: %s", backend.name, exc
                )
        threads = list(self._block_threads)
        if threads:
            await asyncio.get_running_loop().run_in_executor(None, _join_all, threads)

    async def _cancel_everything(self, reason: str) -> None:
        for rec in sorted(self._sched.active.values(), key=lambda r: r.kind != BLOCK):
            self._perform(self._sched.cancel(rec, reason))
        left = [rec.future for rec in self._sched.active.values()]
        if left:
            await asyncio.wait(left, timeout=30)
        for rec in list(self._sched.active.values()):  # a backend that never confirmed
            self._perform(self._sched.cancelled(rec, reason))

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            atexit.unregister(self._at_exit)

    def _at_exit(self) -> None:
        if self._shutdown_cf is None and not self._loop.is_closed():
            self.shutdown(mode="cancel")

    # -- context managers --------------------------------------------------------
    def __enter__(self) -> WorkflowEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(mode="cancel" if exc[0] is not None else "wait")

    async def __aenter__(self) -> WorkflowEngine:
        await self._started()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown(mode="cancel" if exc[0] is not None else "wait")

    def __repr__(self) -> str:
        names = ", ".join(self._backends)
        return f"<WorkflowEngine backends=[{names}] active={len(self._sched.active)}>"


class _Scope:
    def __init__(self, engine: WorkflowEngine, workflow_id: str) -> None:
        self.engine = engine
        self.workflow_id = workflow_id
        self._token: contextvars.Token[str | None] | None = None

    def __enter__(self) -> str:
        self._token = self.engine._scope.set(self.workflow_id)
        return self.workflow_id

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            self.engine._scope.reset(self._token)

    async def __aenter__(self) -> str:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()


def _backend_table(backend: Any, dry_run: bool) -> dict[str, ExecutionBackend]:
    from .backends.local import LocalExecutionBackend
    from .backends.noop import NoopExecutionBackend

    if dry_run:
        backend = NoopExecutionBackend()
    elif backend is None:
        backend = LocalExecutionBackend()
    backends = list(backend) if isinstance(backend, list | tuple) else [backend]
    if not backends:
        raise BackendError("WorkflowEngine needs at least one backend")
    table: dict[str, ExecutionBackend] = {}
    for b in backends:
        if not isinstance(b, ExecutionBackend):
            raise BackendError(f"{b!r} is not an execution backend (subclass ExecutionBackend)")
        if b.name in table:
            raise BackendError(f"two backends are named {b.name!r}; give each a unique name=")
        table[b.name] = b
    return table


def _backend_names(backend: Any) -> list[str]:
    items = list(backend) if isinstance(backend, list | tuple) else [backend]
    return [b.name for b in items if isinstance(b, ExecutionBackend)]


def _unique(backends: Any) -> list[ExecutionBackend]:
    return list({id(b): b for b in backends}.values())


def _copy_outcome(task: asyncio.Future[None], cf: concurrent.futures.Future[None]) -> None:
    if task.cancelled():
        cf.cancel()
    elif task.exception() is not None:
        cf.set_exception(task.exception())  # type: ignore[arg-type]
    else:
        cf.set_result(None)


def _join_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=30)


async def _as_coro(fn: Callable[[], Any]) -> Any:
    return fn()


__all__ = ["WorkflowEngine", "override_backend"]
