"""The scheduler's state machine: events in, actions out.

Every task (function, executable or block) is a :class:`Record` that moves
through these states::

    PENDING ──► SUBMITTED ──► RUNNING ──► DONE
       │            │  ▲          │
       │            │  └─RETRY_WAIT◄┤ (failure with retries left)
       │            ▼             ▼
       ├──────► CANCELED      FAILED
       └──────► DEP_FAILED    (CACHED: done in an earlier run, never launched)

``PENDING`` tasks wait for ``waiting`` dependencies.  When the last one is done
the task is submitted; there is no READY list and no polling, because a
completion walks its own ``dependents`` and decrements their counters: the work
per transition is O(number of edges touched), so the cost per task is flat
from ten tasks to a hundred thousand.

Failure is eager and iterative (an explicit stack, no recursion): when a task
fails for good, every transitive dependent still pending becomes
``DEP_FAILED`` at once with a :class:`DependencyFailureError` naming its failed
direct dependency and carrying the root cause.  Cancellation cascades the
same way but leaves dependents ``CANCELED``.

The machine never touches futures, threads or the event loop.  Each method
returns a list of actions, tuples whose first item says what the driver
(:mod:`.engine`) must do:

* ``(SUBMIT, rec)``: all dependencies are done; launch the task.
* ``(RESOLVE, rec, value)`` / ``(REJECT, rec, exc)`` / ``(CANCELLED, rec, reason)``:
  the task reached a final state; settle its future.
* ``(KILL, rec, reason)``: ask the backend to stop a launched task.
* ``(RETRY, rec)``: launch the task again (attempt already incremented).

``validate()`` checks every invariant; tests call it after each event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import DependencyFailureError

PENDING = "PENDING"
SUBMITTED = "SUBMITTED"
RUNNING = "RUNNING"
RETRY_WAIT = "RETRY_WAIT"
DONE = "DONE"
FAILED = "FAILED"
CANCELED = "CANCELED"
DEP_FAILED = "DEP_FAILED"
CACHED = "CACHED"

FINAL = frozenset({DONE, FAILED, CANCELED, DEP_FAILED, CACHED})
LAUNCHED = frozenset({SUBMITTED, RUNNING})

SUBMIT = "submit"
RESOLVE = "resolve"
REJECT = "reject"
CANCELLED = "cancelled"
KILL = "kill"
RETRY = "retry"

Action = tuple[Any, ...]


class Record:
    """What the scheduler knows about one task. Fields are documented inline."""

    __slots__ = (
        "args",  # call arguments, futures still in place (driver's business)
        "attempt",  # 1 for the first launch, +1 per retry
        "backend",  # name of the backend the task runs on (None: the default)
        "callsite",  # (filename, lineno) of the creating call, when recorded
        "cancel_reason",  # set once a KILL was issued for a launched task
        "dependents",  # records waiting on this one (None once final)
        "deps",  # tuple of dependency uids (for events and reports)
        "description",  # merged task_description
        "future",  # the TaskFuture the user holds
        "kind",  # "function" | "executable" | "block"
        "kwargs",
        "members",  # for blocks: records created by the block body
        "name",
        "options",  # the TaskTemplate (function, retries, timeout, backend...)
        "parent",  # enclosing block record, or None
        "retries",  # how many re-launches a failure may trigger
        "state",
        "t_created",
        "t_started",
        "timed_out",  # the driver's timeout fired for the current attempt
        "timer",  # asyncio TimerHandle of the current attempt's timeout
        "uid",
        "waiting",  # number of dependencies not yet DONE
        "workflow_id",
    )

    def __init__(self, uid: str, name: str, kind: str, retries: int = 0) -> None:
        self.uid = uid
        self.name = name
        self.kind = kind
        self.state = PENDING
        self.waiting = 0
        self.dependents: list[Record] | None = []
        self.deps: tuple[str, ...] = ()
        self.retries = retries
        self.attempt = 1
        self.cancel_reason: str | None = None
        self.timed_out = False
        self.members: list[Record] | None = None
        self.parent: Record | None = None
        self.args: tuple[Any, ...] = ()
        self.kwargs: dict[str, Any] = {}
        self.description: dict[str, Any] = {}
        self.options: Any = None
        self.future: Any = None
        self.workflow_id: str | None = None
        self.callsite: tuple[str, int] | None = None
        self.t_created = 0.0
        self.t_started = 0.0
        self.backend: str | None = None
        self.timer: Any = None

    def __repr__(self) -> str:
        return f"<Record {self.uid} {self.name} {self.state}>"


def root_cause(exc: BaseException) -> BaseException:
    """The exception where a chain of dependency failures started."""
    if isinstance(exc, DependencyFailureError) and exc.root_cause is not None:
        return exc.root_cause
    return exc


def _dep_error(rec: Record, failed: list[str], cause: BaseException) -> DependencyFailureError:
    return DependencyFailureError(
        f"Cannot execute '{rec.name}' due to dependency failure: "
        f"{', '.join(failed)} failed ({type(cause).__name__}: {cause})",
        failed_dependencies=failed,
        root_cause=cause,
    )


class Scheduler:
    """The state machine. ``active`` maps uid -> record for every non-final task."""

    def __init__(self) -> None:
        self.active: dict[str, Record] = {}
        self.finished = 0

    # -- events ------------------------------------------------------------
    def add(
        self,
        rec: Record,
        pending: Iterable[Record] = (),
        failed: Iterable[tuple[str, BaseException]] = (),
        cancelled: Iterable[str] = (),
    ) -> list[Action]:
        """A new task; ``pending`` are its unfinished dependencies, ``failed`` and
        ``cancelled`` the ones already final without a value."""
        self.active[rec.uid] = rec
        failed = list(failed)
        if failed:
            names = [name for name, _ in failed]
            return self._settle(
                rec, DEP_FAILED, (REJECT, rec, _dep_error(rec, names, failed[0][1]))
            )
        cancelled = list(cancelled)
        if cancelled:
            return self._settle(
                rec, CANCELED, (CANCELLED, rec, f"dependency {cancelled[0]} was cancelled")
            )
        waiting = 0
        for dep in pending:
            dep.dependents.append(rec)  # type: ignore[union-attr]
            waiting += 1
        rec.waiting = waiting
        if waiting:
            return []
        rec.state = SUBMITTED
        return [(SUBMIT, rec)]

    def started(self, rec: Record) -> list[Action]:
        if rec.state == SUBMITTED:
            rec.state = RUNNING
        return []

    def succeeded(self, rec: Record, value: Any) -> list[Action]:
        if rec.state not in LAUNCHED:
            return []
        if rec.cancel_reason is not None:  # cancel() already returned True: honour it
            return self._settle(rec, CANCELED, (CANCELLED, rec, rec.cancel_reason))
        actions = self._settle(rec, DONE, (RESOLVE, rec, value), cascade=False)
        for dep in rec.dependents or ():
            if dep.state == PENDING:
                dep.waiting -= 1
                if dep.waiting == 0:
                    dep.state = SUBMITTED
                    actions.append((SUBMIT, dep))
        rec.dependents = None
        return actions

    def failed(self, rec: Record, exc: BaseException, retryable: bool = True) -> list[Action]:
        if rec.state not in LAUNCHED:
            return []
        if rec.cancel_reason is not None:
            return self._settle(rec, CANCELED, (CANCELLED, rec, rec.cancel_reason))
        if retryable and rec.attempt <= rec.retries:
            rec.attempt += 1
            rec.state = SUBMITTED
            return [(RETRY, rec)]
        return self._settle(rec, FAILED, (REJECT, rec, exc))

    def cancel(self, rec: Record, reason: str) -> list[Action]:
        """A request to cancel; launched tasks are only asked to stop."""
        if rec.state in FINAL:
            return []
        if rec.state in LAUNCHED:
            if rec.cancel_reason is not None:
                return []
            rec.cancel_reason = reason
            return [(KILL, rec, reason)]
        return self._settle(rec, CANCELED, (CANCELLED, rec, reason))

    def cancelled(self, rec: Record, reason: str) -> list[Action]:
        """The backend confirms a launched task stopped."""
        if rec.state in FINAL:
            return []
        return self._settle(rec, CANCELED, (CANCELLED, rec, rec.cancel_reason or reason))

    def abort(self, rec: Record, exc: BaseException) -> list[Action]:
        """Fail a task from outside its backend (a service it uses died).

        Pending or launched, it fails at once (dependents cascade); a launched
        one is also asked to stop, and its backend's late report is ignored.
        """
        if rec.state in FINAL:
            return []
        launched = rec.state in LAUNCHED
        actions = self._settle(rec, FAILED, (REJECT, rec, exc))
        if launched:
            actions.append((KILL, rec, f"failed: {exc}"))
        return actions

    def cached(self, rec: Record, value: Any) -> list[Action]:
        """Resume: the task is done from an earlier run and is not launched."""
        rec.state = SUBMITTED
        actions = self.succeeded(rec, value)
        rec.state = CACHED
        return actions

    # -- internals -----------------------------------------------------------
    def _settle(
        self, rec: Record, state: str, action: Action, cascade: bool = True
    ) -> list[Action]:
        """Move ``rec`` to a final state and, for failures, its dependents too."""
        rec.state = state
        self.active.pop(rec.uid, None)
        self.finished += 1
        actions = [action]
        if cascade:
            self._cascade(rec, state, action, actions)
        return actions

    def _cascade(self, root: Record, state: str, action: Action, actions: list[Action]) -> None:
        """Settle every transitive pending dependent of ``root`` (iteratively)."""
        failing = state in (FAILED, DEP_FAILED)
        cause = root_cause(action[2]) if failing else None
        stack = [root]
        while stack:
            rec = stack.pop()
            dependents, rec.dependents = rec.dependents, None
            for dep in dependents or ():
                if dep.state in FINAL:
                    continue
                dep.state = DEP_FAILED if failing else CANCELED
                self.active.pop(dep.uid, None)
                self.finished += 1
                if failing:
                    actions.append((REJECT, dep, _dep_error(dep, [rec.name], cause)))  # type: ignore[arg-type]
                else:
                    actions.append((CANCELLED, dep, f"dependency {rec.name} was cancelled"))
                stack.append(dep)

    # -- invariants ------------------------------------------------------------
    def validate(self) -> None:
        """Raise AssertionError if any invariant is broken (tests call this)."""
        for uid, rec in self.active.items():
            assert rec.uid == uid, f"{rec} filed under {uid}"
            assert rec.state not in FINAL, f"{rec} is final but active"
            assert rec.dependents is not None, f"{rec} lost its dependents list"
            for dep in rec.dependents:
                if dep.state not in FINAL:
                    assert dep.uid in self.active, f"{dep} depends on {rec} but is not active"
                    assert dep.state == PENDING, f"{dep} launched before {rec} finished"
            if rec.state == PENDING:
                assert rec.waiting > 0, f"{rec} waits for nothing but is not launched"
        waits: dict[str, int] = {}
        for rec in self.active.values():
            for dep in rec.dependents or ():
                if dep.state == PENDING:
                    waits[dep.uid] = waits.get(dep.uid, 0) + 1
        for uid, count in waits.items():
            assert self.active[uid].waiting == count, f"{uid}: waiting mismatch"
