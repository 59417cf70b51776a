"""The asyncio driver: performs the state machine's actions and feeds it events.

Everything here runs on the engine's event-loop thread.  Reports from
backends (any thread) and task calls from other threads arrive through
:meth:`_Driver._post`, a lock-free inbox drained on the loop.  Threads append
to the inbox and wake the loop at most once per batch, so a thread pool
finishing ten thousand tasks costs a handful of loop wake-ups, not ten
thousand.  On the loop thread itself the inbox is drained at once, which keeps
the state machine free of re-entrancy: an action that triggers another event
(a dry-run backend that completes inside ``submit``) is queued, not nested.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..data import files_in_use
from ..errors import (
    BackendError,
    BlockingCallError,
    DependencyFailureError,
    EngineError,
    TaskTimeout,
    UnknownBackendError,
)
from . import files as F
from . import state as S
from ._util import in_thread
from .args import find_futures, resolve_call
from .backends.base import ExecutionBackend, TaskSpec
from .events import EventBus, TaskEvent
from .futures import DONE, FAILED, RUNNING, TaskFuture
from .services import ServiceInfo, close_endpoint
from .tasks import BLOCK, EXECUTABLE

if TYPE_CHECKING:
    from .state import Record

log = logging.getLogger("radical.asyncflow")

_set_result = asyncio.Future.set_result
_set_exception = asyncio.Future.set_exception
_exception = asyncio.Future.exception

#: (engine, block record) of the block body running in this context
CURRENT_BLOCK: contextvars.ContextVar[tuple[Any, Record] | None] = contextvars.ContextVar(
    "radical_asyncflow_block", default=None
)
#: events handled per loop callback (a few ms of work) before yielding the loop
_DRAIN_BATCH = 1024
_DRAIN_SECONDS = 0.01
_NONE: list[Any] = []  # shared, never mutated: "no dependencies"
_NOT_RETRYABLE = (DependencyFailureError, BlockingCallError, EngineError, BackendError)


class _Sink:
    """What backends report to; every method is thread-safe and returns at once."""

    __slots__ = ("cancelled", "failed", "running", "service_lost", "succeeded")

    def __init__(self, driver: _Driver) -> None:
        post = driver._post
        self.running = lambda uid: post(driver._on_running, uid, None)
        self.succeeded = lambda uid, value: post(driver._on_succeeded, uid, value)
        self.failed = lambda uid, exc: post(driver._on_failed, uid, exc)
        self.cancelled = lambda uid, reason: post(driver._on_cancelled, uid, reason)
        self.service_lost = lambda uid, exc: post(driver._on_service_lost, uid, exc)


class _ServiceUse:
    """A service task and the tasks that use it (until it dies)."""

    __slots__ = ("lost", "name", "users")

    def __init__(self, name: str) -> None:
        self.name = name
        self.users: list[Record] = []
        self.lost: BaseException | None = None


class _Driver:
    _loop: asyncio.AbstractEventLoop
    _loop_tid: int | None
    _backends: dict[str, ExecutionBackend]
    _default_backend: ExecutionBackend
    _files: F.FileTable

    def _init_driver(self) -> None:
        self._sched = S.Scheduler()
        self._inbox: deque[tuple[Callable[[Any, Any], None], Any, Any]] = deque()
        self._wake = False
        self._draining = False
        self._ready = False
        self._start_error: BaseException | None = None
        self._deferred: list[Record] = []
        self._events = EventBus()
        self._block_tasks: dict[str, asyncio.Task[Any]] = {}
        self._block_threads: set[threading.Thread] = set()
        self._sink = _Sink(self)
        self._services: dict[str, _ServiceUse] = {}  # uid of a service task -> its users
        self._staging: dict[str, asyncio.Task[None]] = {}  # uid -> download in progress
        self._endpoints: list[Any] = []  # function services' endpoints, closed at shutdown

    # -- the inbox -----------------------------------------------------------
    def _post(self, fn: Callable[[Any, Any], None], a: Any, b: Any) -> None:
        self._inbox.append((fn, a, b))
        if threading.get_ident() == self._loop_tid:
            if not self._draining:
                self._drain()
        elif not self._wake:
            self._wake = True
            try:
                self._loop.call_soon_threadsafe(self._woken)
            except RuntimeError:  # loop closed: nobody is left to tell
                self._inbox.clear()

    def _woken(self) -> None:
        self._wake = False
        if not self._draining:
            self._drain()

    def _drain(self) -> None:
        """Handle queued events; yield the loop after a batch so nothing waits > ~100 ms.

        A batch ends after ``_DRAIN_BATCH`` events or ``_DRAIN_SECONDS`` of wall
        time, whichever comes first: under GIL contention (busy worker threads)
        the same number of events can take many times longer.
        """
        self._draining = True
        inbox = self._inbox
        budget = _DRAIN_BATCH
        deadline = time.perf_counter() + _DRAIN_SECONDS
        try:
            while inbox:
                if budget == 0 or (budget & 7 == 0 and time.perf_counter() > deadline):
                    if not self._wake:  # let timers, I/O and other coroutines run, then go on
                        self._wake = True
                        self._loop.call_soon(self._woken)
                    return
                budget -= 1
                fn, a, b = inbox.popleft()
                try:
                    fn(a, b)
                except Exception:  # an engine bug must not stop the engine
                    log.exception("radical.asyncflow internal error (please report) in %s", fn)
        finally:
            self._draining = False

    def _perform(self, actions: list[S.Action]) -> None:
        for action in actions:
            kind = action[0]
            if kind == S.SUBMIT or kind == S.RETRY:
                self._launch(action[1])
            elif kind == S.RESOLVE:
                self._resolve(action[1], action[2])
            elif kind == S.REJECT:
                self._reject(action[1], action[2])
            elif kind == S.CANCELLED:
                self._settle_cancelled(action[1], action[2])
            elif kind == S.KILL:
                self._stop(action[1], action[2])

    # -- events from the outside ----------------------------------------------
    def _register(self, rec: Record, _: Any = None) -> None:
        pending: list[Record] = []
        failed: list[tuple[str, BaseException]] = []
        cancelled: list[str] = []
        found: list[TaskFuture] = (
            find_futures(rec.args, rec.kwargs) if (rec.args or rec.kwargs) else _NONE
        )
        if files_in_use() and rec.kind != BLOCK and (rec.args or rec.kwargs):
            found = self._files.link(rec.uid, rec.future, rec.args, rec.kwargs, found)
        for fut in found:
            if fut._engine is not self:
                failed.append(
                    (
                        fut.name,
                        EngineError(
                            f"'{rec.name}' got a future of another engine ({fut.name}); "
                            "pass its value"
                        ),
                    )
                )
            elif not fut.done():
                pending.append(fut._rec)
            elif fut.cancelled():
                cancelled.append(fut.name)
            elif (exc := _exception(fut)) is not None:
                failed.append((fut.name, S.root_cause(exc)))
        rec.deps = tuple(f.uid for f in found)
        if self._services:
            self._note_service_users(rec, found, failed)
        if rec.options is not None and rec.options.service:
            self._services[rec.uid] = _ServiceUse(rec.name)
        parent = rec.parent
        if parent is not None:
            if parent.state in S.FINAL or parent.cancel_reason is not None:
                cancelled.append(parent.name)
            elif parent.members is not None:
                parent.members.add(rec)  # type: ignore[attr-defined]
        if self._events.subscribers:
            self._emit("created", rec)
        if rec.backend is not None and rec.kind != BLOCK and rec.backend not in self._backends:
            self._sched.active[rec.uid] = rec
            rec.state = S.SUBMITTED
            error = UnknownBackendError(
                f"task '{rec.name}' asks for backend {rec.backend!r}; this engine has "
                f"{', '.join(map(repr, self._backends))}"
            )
            self._perform(self._sched.failed(rec, error, retryable=False))
            return
        self._perform(self._sched.add(rec, pending, failed, cancelled))

    def _note_service_users(
        self, rec: Record, found: list[TaskFuture], failed: list[tuple[str, BaseException]]
    ) -> None:
        for fut in found:
            use = self._services.get(fut.uid) if fut._engine is self else None
            if use is None:
                continue
            if use.lost is not None:
                failed.append((fut.name, use.lost))
            else:
                if len(use.users) >= 1024 and len(use.users) & (len(use.users) - 1) == 0:
                    use.users = [r for r in use.users if r.state not in S.FINAL]
                use.users.append(rec)

    def _on_service_lost(self, uid: str, exc: BaseException) -> None:
        """A service died after it was ready: fail every unfinished task using it."""
        use = self._services.get(uid)
        if use is None or use.lost is not None:
            return
        use.lost = exc
        users, use.users = use.users, []
        log.warning("%s", exc)
        for rec in users:
            if rec.state in S.FINAL:
                continue
            error = DependencyFailureError(
                f"Cannot finish '{rec.name}': the service '{use.name}' it uses died ({exc})",
                failed_dependencies=[use.name],
                root_cause=exc,
            )
            self._perform(self._sched.abort(rec, error))

    def _on_running(self, uid: str, _: Any) -> None:
        rec = self._sched.active.get(uid)
        if rec is not None and rec.state == S.SUBMITTED:
            self._sched.started(rec)
            rec.future._state = RUNNING
            if self._events.subscribers:
                self._emit("running", rec)

    def _on_succeeded(self, uid: str, value: Any) -> None:
        rec = self._sched.active.get(uid)
        if rec is None:
            return
        fs = self._files.sets.get(uid) if self._files.sets else None
        if fs is not None and fs.outputs and not self._backend_of(rec).dry_run:
            missing = F.missing_outputs(rec.name, fs)
            if missing is not None:
                F.remove_partial(fs)
                self._perform(self._sched.failed(rec, missing, retryable=True))
                return
        if rec.options.service and not isinstance(value, ServiceInfo):
            value = self._function_service(rec, value)
        self._perform(self._sched.succeeded(rec, value))

    def _function_service(self, rec: Record, value: Any) -> Any:
        if self._backend_of(rec).dry_run or rec.cancel_reason is not None:
            return value
        self._endpoints.append(value)
        return ServiceInfo(rec.name, rec.uid, value)

    def _on_failed(self, uid: str, exc: BaseException) -> None:
        rec = self._sched.active.get(uid)
        if rec is not None:
            fs = self._files.sets.get(uid) if self._files.sets else None
            if fs is not None and fs.outputs and not self._backend_of(rec).dry_run:
                F.remove_partial(fs)
            retryable = not isinstance(exc, _NOT_RETRYABLE)
            self._perform(self._sched.failed(rec, exc, retryable))

    def _on_cancelled(self, uid: str, reason: str) -> None:
        rec = self._sched.active.get(uid)
        if rec is None:
            return
        if rec.timed_out and rec.cancel_reason is None:
            rec.timed_out = False
            error = TaskTimeout(
                f"task '{rec.name}' ({uid}) timed out after {rec.options.timeout} s"
            )
            self._perform(self._sched.failed(rec, error, retryable=True))
        else:
            self._perform(self._sched.cancelled(rec, reason))

    def _cancel_future(self, fut: TaskFuture, msg: Any) -> bool:
        rec = fut._rec
        if rec is None or fut.done():
            return False
        self._perform(self._sched.cancel(rec, str(msg) if msg else "cancelled"))
        return True

    # -- actions -------------------------------------------------------------
    def _launch(self, rec: Record) -> None:
        if not self._ready:
            if self._start_error is None:
                self._deferred.append(rec)
                return
            self._fail_soon(rec, BackendError(f"the backend did not start: {self._start_error}"))
            return
        try:
            args, kwargs = (
                resolve_call(rec.args, rec.kwargs) if rec.deps else (rec.args, rec.kwargs)
            )
        except Exception as exc:
            self._fail_soon(rec, exc)
            return
        fs = self._files.sets.get(rec.uid) if self._files.sets else None
        if fs is not None:
            self._launch_with_files(rec, fs, args, kwargs)
            return
        self._dispatch(rec, args, kwargs)

    def _launch_with_files(self, rec: Record, fs: F.FileSet, args: Any, kwargs: Any) -> None:
        backend = self._backend_of(rec)
        names = self._files.names(fs) if backend.stages_files else fs.paths
        args, kwargs = F.substitute_call(args, kwargs, names)
        if backend.dry_run:
            self._dispatch(rec, args, kwargs)
            return
        try:
            F.prepare(rec.name, fs)
        except Exception as exc:
            self._fail_soon(rec, exc)
            return
        if not fs.downloads:
            self._dispatch(rec, args, kwargs)
            return
        task = self._loop.create_task(self._download_then_dispatch(rec, fs, args, kwargs))
        self._staging[rec.uid] = task

    async def _download_then_dispatch(
        self, rec: Record, fs: F.FileSet, args: Any, kwargs: Any
    ) -> None:
        try:
            await in_thread(F.stage, rec.name, fs)
        except asyncio.CancelledError:
            self._post(self._on_cancelled, rec.uid, rec.cancel_reason or "cancelled")
            return
        except Exception as exc:
            self._fail_soon(rec, exc, retryable=True)
            return
        finally:
            self._staging.pop(rec.uid, None)
        if rec.state in S.LAUNCHED and rec.cancel_reason is None:
            self._dispatch(rec, args, kwargs)

    def _backend_of(self, rec: Record) -> ExecutionBackend:
        return self._backends[rec.backend] if rec.backend else self._default_backend

    def _dispatch(self, rec: Record, args: Any, kwargs: Any) -> None:
        rec.t_started = time.monotonic()
        if rec.kind == BLOCK:
            self._start_block(rec, args, kwargs)
            return
        backend = self._backend_of(rec)
        if rec.kind == EXECUTABLE and not backend.dry_run:
            if rec.options.is_async:
                self._loop.create_task(self._command_then_submit(rec, backend, args, kwargs))
                return
            try:
                command = _check_command(rec, rec.options.function(*args, **kwargs))
            except Exception as exc:
                self._fail_soon(rec, exc)
                return
            self._submit(rec, backend, args, kwargs, command)
        else:
            self._submit(rec, backend, args, kwargs, None)

    async def _command_then_submit(
        self, rec: Record, backend: ExecutionBackend, args: Any, kwargs: Any
    ) -> None:
        try:
            command = _check_command(rec, await rec.options.function(*args, **kwargs))
        except Exception as exc:
            self._fail_soon(rec, exc)
            return
        self._submit(rec, backend, args, kwargs, command)

    def _submit(
        self, rec: Record, backend: ExecutionBackend, args: Any, kwargs: Any, command: str | None
    ) -> None:
        tmpl = rec.options
        if tmpl.service and not (backend.supports_services or backend.dry_run):
            error = BackendError(
                f"task '{rec.name}' is a service, which backend {backend.name!r} "
                f"({type(backend).__name__}) cannot run; route it to one that can "
                "(e.g. a LocalExecutionBackend) with backend='name'"
            )
            self._fail_soon(rec, error)
            return
        spec = TaskSpec(
            rec.uid,
            rec.name,
            rec.kind,
            tmpl.function,
            args,
            kwargs,
            command,
            rec.description,
            tmpl.timeout,
            rec.workflow_id,
            rec.attempt,
            tmpl.is_async,
            tmpl.service,
        )
        fs = self._files.sets.get(rec.uid) if self._files.sets else None
        if fs is not None:
            spec.inputs, spec.outputs = self._files.refs(fs)
        try:
            backend.check_description(spec)
            backend.submit(spec)
        except Exception as exc:
            self._fail_soon(rec, exc, retryable=False)
            return
        if tmpl.timeout is not None:
            rec.timer = self._loop.call_later(tmpl.timeout, self._on_timeout, rec, rec.attempt)
        if self._events.subscribers:
            self._emit("submitted", rec)

    def _fail_soon(self, rec: Record, exc: BaseException, retryable: bool = False) -> None:
        handler = self._on_failed if retryable else self._on_failed_final
        self._post(handler, rec.uid, exc)

    def _on_failed_final(self, uid: str, exc: BaseException) -> None:
        rec = self._sched.active.get(uid)
        if rec is not None:
            self._perform(self._sched.failed(rec, exc, retryable=False))

    def _on_timeout(self, rec: Record, attempt: int) -> None:
        if rec.state in S.LAUNCHED and rec.attempt == attempt and rec.cancel_reason is None:
            rec.timed_out = True
            self._stop(rec, f"timeout after {rec.options.timeout} s")

    def _stop(self, rec: Record, reason: str) -> None:
        if rec.kind == BLOCK:
            for member in list(rec.members or ()):
                self._perform(self._sched.cancel(member, reason))
            task = self._block_tasks.get(rec.uid)
            if task is not None:
                task.cancel(reason)
            else:  # a sync block body in a thread cannot be interrupted
                self._post(self._on_cancelled, rec.uid, reason)
            return
        staging = self._staging.get(rec.uid) if self._staging else None
        if staging is not None:
            staging.cancel(reason)
            return
        backend = self._backend_of(rec)
        try:
            backend.cancel(rec.uid, reason)
        except Exception as exc:
            log.warning("backend %s failed to cancel %s: %s", backend.name, rec.uid, exc)
            self._post(self._on_cancelled, rec.uid, reason)

    def _start_block(self, rec: Record, args: Any, kwargs: Any) -> None:
        rec.members = set()  # type: ignore[assignment]
        ctx = contextvars.copy_context()
        ctx.run(CURRENT_BLOCK.set, (self, rec))
        if rec.options.is_async:
            task = self._loop.create_task(self._run_block(rec, args, kwargs), context=ctx)
            self._block_tasks[rec.uid] = task
        else:
            thread = threading.Thread(
                target=ctx.run,
                name=f"raf-block-{rec.name}",
                daemon=True,
                args=(self._run_sync_block, rec, args, kwargs),
            )
            self._block_threads.add(thread)
            thread.start()
        self._on_running(rec.uid, None)

    async def _run_block(self, rec: Record, args: Any, kwargs: Any) -> None:
        try:
            value = await rec.options.function(*args, **kwargs)
        except asyncio.CancelledError:
            self._post(self._on_cancelled, rec.uid, rec.cancel_reason or "cancelled")
        except BaseException as exc:
            self._post(self._on_failed, rec.uid, exc)
        else:
            self._post(self._on_succeeded, rec.uid, value)
        finally:
            self._block_tasks.pop(rec.uid, None)

    def _run_sync_block(self, rec: Record, args: Any, kwargs: Any) -> None:
        try:
            value = rec.options.function(*args, **kwargs)
        except BaseException as exc:
            self._post(self._on_failed, rec.uid, exc)
        else:
            self._post(self._on_succeeded, rec.uid, value)
        finally:
            self._block_threads.discard(threading.current_thread())

    # -- settling futures ------------------------------------------------------
    def _resolve(self, rec: Record, value: Any) -> None:
        fut = rec.future
        self._forget(rec)
        if not fut.done():
            fut._state = DONE
            _set_result(fut, value)
        if self._events.subscribers:
            self._emit("done", rec)

    def _reject(self, rec: Record, exc: BaseException) -> None:
        fut = rec.future
        self._forget(rec)
        if not fut.done():
            fut._state = FAILED
            _set_exception(fut, exc)
            fut._log_traceback = False  # failures are reported by the engine, not by GC
        if self._events.subscribers:
            self._emit("failed", rec, error=exc)

    def _settle_cancelled(self, rec: Record, reason: str) -> None:
        fut = rec.future
        members = list(rec.members or ()) if rec.kind == BLOCK else ()
        self._forget(rec)
        if not fut.done():
            fut._settle_cancelled(reason)
        for member in members:
            self._perform(self._sched.cancel(member, f"block {rec.name} was cancelled"))
        if self._events.subscribers:
            self._emit("cancelled", rec)

    def _forget(self, rec: Record) -> None:
        rec.future._rec = None
        if self._files.sets:
            self._files.sets.pop(rec.uid, None)
        if self._services and rec.state != S.DONE:
            self._services.pop(rec.uid, None)
        if rec.timer is not None:
            rec.timer.cancel()
            rec.timer = None
        parent = rec.parent
        if parent is not None and parent.members is not None:
            parent.members.discard(rec)  # type: ignore[attr-defined]
        rec.args = ()
        rec.kwargs = {}

    def _emit(self, kind: str, rec: Record, error: BaseException | None = None) -> None:
        now = time.monotonic()
        duration = (
            (now - rec.t_started)
            if kind in ("done", "failed", "cancelled") and rec.t_started
            else None
        )
        self._events.emit(
            TaskEvent(
                kind,
                rec.uid,
                rec.name,
                rec.kind,
                now,
                rec.workflow_id,
                rec.parent.uid if rec.parent is not None else None,
                rec.deps,
                rec.callsite,
                duration,
                rec.attempt,
                error,
                rec.backend,
                rec.args if kind == "created" else (),
                rec.kwargs if kind == "created" else {},
            )
        )


async def close_endpoints(endpoints: list[Any]) -> None:
    """Close function services' endpoints (at shutdown, after every task ended)."""
    for endpoint in reversed(endpoints):
        try:
            await close_endpoint(endpoint)
        except Exception as exc:
            log.warning("closing service endpoint %r failed: %s", endpoint, exc)
    endpoints.clear()


def _check_command(rec: Record, command: Any) -> str:
    if not isinstance(command, str) or not command.strip():
        raise TypeError(
            f"executable task '{rec.name}' must return a non-empty command string, got {command!r}"
        )
    return command
