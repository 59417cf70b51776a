"""The contract between the engine and an execution backend.

A backend runs *ready* tasks: every dependency has already been resolved to a
value by the engine, and an executable task's command has already been built.
The engine hands it a :class:`TaskSpec` and learns the outcome through the
:class:`TaskSink` it bound to the backend.  That is all a backend must do::

    class MyBackend(ExecutionBackend):
        async def start(self):           # acquire resources (optional)
            ...
        def submit(self, spec):          # must not block; report later
            ...
            self.sink.succeeded(spec.uid, value)     # or .failed(uid, exc)
        def cancel(self, uid, reason):   # stop it; then sink.cancelled(uid, reason)
            ...
        async def shutdown(self):        # release everything (idempotent)
            ...

The sink's methods may be called from any thread and in any order; the engine
ignores reports for tasks it no longer tracks.  Backends whose natural shape is
"one coroutine per task" subclass :class:`CoroutineBackend` and implement only
``run(spec)``.

Construction must be cheap and side-effect free: a backend acquires
resources in :meth:`start`, which the engine calls on its own event loop (or
the user calls with ``await Backend(...)``).  This is what lets
``raf compile --trace`` construct a workflow's backend without starting it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Mapping
from typing import Any, ClassVar, Protocol


@dataclasses.dataclass(frozen=True, slots=True)
class FileRef:
    """One ``InputFile``/``OutputFile`` argument of a task, as a backend sees it.

    ``path`` is the file's absolute path on the engine's machine; ``name`` is
    the same file relative to the engine's ``work_dir`` (``_root/<path>`` for
    a file outside it): what a backend with ``stages_files`` puts in the
    task's working directory and gives its body.  ``producer`` is, for an
    input, the uid of the task that declared it as its output (None for a
    plain file or a download).
    """

    path: str
    name: str
    producer: str | None = None


@dataclasses.dataclass(slots=True)
class TaskSpec:
    """One ready task, as a backend sees it.

    ``args``/``kwargs`` hold values (futures already resolved).  ``function`` is
    the user's callable for function tasks; ``command`` the shell command for
    executable tasks.  ``description`` is the merged ``task_description``
    (definition-time defaults updated by call-time values).  ``inputs`` and
    ``outputs`` list the task's file arguments (empty when it has none);
    backends that share the engine's filesystem ignore them.
    """

    uid: str
    name: str
    kind: str  # "function" | "executable"
    function: Callable[..., Any] | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    command: str | None = None
    description: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    timeout: float | None = None
    workflow_id: str | None = None
    attempt: int = 1
    is_async: bool = False
    service: bool = False
    inputs: tuple[FileRef, ...] = ()
    outputs: tuple[FileRef, ...] = ()


class TaskSink(Protocol):
    """Where a backend reports outcomes. Thread-safe; every method returns at once."""

    def running(self, uid: str) -> None: ...
    def succeeded(self, uid: str, value: Any) -> None: ...
    def failed(self, uid: str, error: BaseException) -> None: ...
    def cancelled(self, uid: str, reason: str) -> None: ...

    # The engine's sink also has ``service_lost(uid, error)``: a service task
    # that was reported ready has died.  It is not part of this protocol, so
    # that sink wrappers written before it keep type-checking; call it through
    # :func:`report_service_lost`, which tolerates a wrapper without it.


def report_service_lost(sink: TaskSink, uid: str, error: BaseException) -> None:
    """Tell the engine a ready service died (see ``supports_services``)."""
    lost = getattr(sink, "service_lost", None)
    if lost is not None:
        lost(uid, error)


class _UnboundSink:
    def _unbound(self, *args: object) -> None:
        raise RuntimeError("backend is not attached to a WorkflowEngine")

    running = succeeded = failed = cancelled = _unbound


class ExecutionBackend(ABC):
    """Base class of every execution backend. See the module docstring."""

    #: Backends that never run task bodies (dry run) set this to True; the
    #: engine then does not evaluate executable bodies either.
    dry_run: ClassVar[bool] = False
    #: Which ``task_description`` keys the backend honours (None: any).
    description_keys: ClassVar[frozenset[str] | None] = None
    #: Backends that can run ``service=True`` tasks set this to True: they
    #: report the task succeeded (with a ServiceInfo) once the service is
    #: ready, keep it running, call ``report_service_lost(sink, uid, error)`` if it
    #: dies, and stop it in ``shutdown()``.  Others get such tasks failed by
    #: the engine with a message naming the backend.
    supports_services: ClassVar[bool] = False
    #: Backends that run tasks where the engine's paths do not exist set this
    #: to True (per instance if it depends on options): bodies then receive
    #: each file argument as its ``FileRef.name``, relative to the task's
    #: working directory, and the backend moves the files (``spec.inputs``
    #: in before the task runs, ``spec.outputs`` back to their ``path``
    #: before it reports success).
    stages_files: bool = False

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "default"
        self.sink: TaskSink = _UnboundSink()
        self._started = False

    # -- lifecycle ---------------------------------------------------------
    def bind(self, sink: TaskSink) -> None:
        """Called once by the engine before any task is submitted."""
        self.sink = sink

    async def start(self) -> None:
        """Acquire resources. Idempotent; the engine awaits it on its loop."""
        self._started = True

    async def ensure_started(self) -> None:
        if not self._started:
            await self.start()
            self._started = True

    def __await__(self) -> Generator[Any, None, ExecutionBackend]:
        """``backend = await SomeBackend(...)`` starts it and returns it."""
        return self._started_self().__await__()

    async def _started_self(self) -> ExecutionBackend:
        await self.ensure_started()
        return self

    @abstractmethod
    def submit(self, spec: TaskSpec) -> None:
        """Start running ``spec``; report through ``self.sink``. Must not block."""

    @abstractmethod
    def cancel(self, uid: str, reason: str) -> None:
        """Stop task ``uid`` if it runs; report ``sink.cancelled`` (or its outcome)."""

    @abstractmethod
    async def shutdown(self) -> None:
        """Stop everything and release resources. Idempotent."""

    # -- helpers for subclasses ---------------------------------------------
    def check_description(self, spec: TaskSpec) -> None:
        """Raise TaskDescriptionError for keys this backend does not honour."""
        allowed = self.description_keys
        if allowed is None or not spec.description:
            return
        unknown = sorted(set(spec.description) - allowed)
        if unknown:
            from ...errors import TaskDescriptionError

            raise TaskDescriptionError(
                f"task '{spec.name}': task_description key(s) {', '.join(map(repr, unknown))} "
                f"are not understood by backend {type(self).__name__} "
                f"(known: {', '.join(sorted(allowed))})"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class CoroutineBackend(ExecutionBackend):
    """A backend written as ``async def run(spec) -> value``, one asyncio task each.

    Cancellation cancels that asyncio task; ``run`` cleans up in ``finally`` /
    ``except CancelledError`` blocks.  Runs on the engine's event loop.
    """

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._reasons: dict[str, str] = {}

    @abstractmethod
    async def run(self, spec: TaskSpec) -> Any:
        """Run one task and return its value, or raise its error."""

    def submit(self, spec: TaskSpec) -> None:
        task = asyncio.get_running_loop().create_task(self._run(spec), name=spec.uid)
        self._tasks[spec.uid] = task

    async def _run(self, spec: TaskSpec) -> None:
        try:
            value = await self.run(spec)
        except asyncio.CancelledError:
            self.sink.cancelled(spec.uid, self._reasons.pop(spec.uid, "cancelled"))
        except BaseException as exc:
            self.sink.failed(spec.uid, exc)
        else:
            self.sink.succeeded(spec.uid, value)
        finally:
            self._tasks.pop(spec.uid, None)

    def cancel(self, uid: str, reason: str) -> None:
        task = self._tasks.get(uid)
        if task is not None:
            self._reasons[uid] = reason
            task.cancel(reason)

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel("backend shutdown")
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def merged_description(
    default: Mapping[str, Any] | None, override: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Definition-time ``task_description`` updated key by key by the call-time one."""
    out = dict(default or {})
    out.update(override or {})
    return out
