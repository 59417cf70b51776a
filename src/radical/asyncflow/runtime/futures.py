"""The one future type users hold: awaitable, and blocking from other threads.

A :class:`TaskFuture` is an :class:`asyncio.Future` bound to its engine's event
loop, so ``await fut`` and ``asyncio.gather(*futs)`` cost what they cost for any
asyncio future.  From any *other* thread (the sync style, where the engine runs
its loop on a background thread) ``result(timeout)`` and ``exception(timeout)``
block until the task settles.  On the loop's own thread a blocking wait could
never finish, so it raises :class:`BlockingCallError` instead of deadlocking.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ..errors import BlockingCallError

if TYPE_CHECKING:
    from .engine import WorkflowEngine

_base_result = asyncio.Future.result
_base_exception = asyncio.Future.exception
_base_cancel = asyncio.Future.cancel

#: user-facing states of a future
PENDING, RUNNING, DONE, FAILED, CANCELLED = "PENDING", "RUNNING", "DONE", "FAILED", "CANCELLED"


class TaskFuture(asyncio.Future):  # type: ignore[type-arg]
    """The future of one task or block call."""

    __slots__ = ("_engine", "_rec", "_state", "kind", "name", "uid")

    def __init__(self, engine: WorkflowEngine, uid: str, name: str, kind: str) -> None:
        super().__init__(loop=engine._loop)
        self._engine = engine
        self._rec: Any = None
        self._state = PENDING
        self.uid = uid
        self.name = name
        self.kind = kind

    @property
    def id(self) -> str:
        return self.uid

    @property
    def state(self) -> str:
        """PENDING, RUNNING, DONE, FAILED or CANCELLED."""
        return self._state

    # -- blocking access -------------------------------------------------------
    def result(self, timeout: float | None = None) -> Any:
        """The task's value; blocks (from other threads) until it is settled."""
        self._wait(timeout)
        return _base_result(self)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """The task's exception, or None; blocks like :meth:`result`."""
        self._wait(timeout)
        return _base_exception(self)

    def _wait(self, timeout: float | None) -> None:
        if self.done():
            return
        if threading.get_ident() == self._engine._loop_tid:
            raise BlockingCallError(
                f"{self.name}().result() was called on the engine's event-loop thread, "
                "where it would wait forever; use 'await' there instead"
            )
        event = threading.Event()
        try:
            self._loop.call_soon_threadsafe(self.add_done_callback, lambda _f: event.set())
        except RuntimeError:  # loop closed: the engine is gone and so is the answer
            if not self.done():
                raise BlockingCallError(f"{self.name}: its engine was shut down") from None
            return
        if not event.wait(timeout):
            raise TimeoutError(f"task '{self.name}' ({self.uid}) not done after {timeout} s")

    # -- cancellation --------------------------------------------------------
    def cancel(self, msg: Any = None) -> bool:
        """Cancel the task (and, through the engine, its dependents).

        Pending tasks are cancelled at once; running ones are stopped by their
        backend (executables: process group SIGTERM, grace, SIGKILL) and the
        future settles once they have stopped.  Returns False if already settled.
        """
        if self.done():
            return False
        engine = self._engine
        if threading.get_ident() == engine._loop_tid:
            return engine._cancel_future(self, msg)
        answer: concurrent.futures.Future[bool] = concurrent.futures.Future()

        def on_loop() -> None:
            answer.set_result(engine._cancel_future(self, msg))

        try:
            self._loop.call_soon_threadsafe(on_loop)
        except RuntimeError:
            return False
        return answer.result()

    def _settle_cancelled(self, msg: Any) -> None:
        self._state = CANCELLED
        _base_cancel(self, msg)

    def __await__(self) -> Generator[Any, None, Any]:
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = loop
        if running is loop:
            return super().__await__()
        # awaited from another loop (an engine with its own loop thread): bridge
        return asyncio.wrap_future(_to_concurrent(self), loop=running).__await__()

    def __repr__(self) -> str:
        return f"<TaskFuture {self.name} {self.uid} {self._state}>"

    __hash__ = object.__hash__


def _to_concurrent(fut: TaskFuture) -> concurrent.futures.Future[Any]:
    out: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def copy(f: asyncio.Future[Any]) -> None:
        if f.cancelled():
            out.cancel()
            out.set_running_or_notify_cancel()
        elif (exc := _base_exception(f)) is not None:
            out.set_exception(exc)
        else:
            out.set_result(_base_result(f))

    fut._loop.call_soon_threadsafe(fut.add_done_callback, copy)
    return out
