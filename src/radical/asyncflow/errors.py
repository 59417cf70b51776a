"""The exception tree of radical.asyncflow.

::

    AsyncFlowError
    ├── TaskError                      a task did not produce a value
    │   ├── ExecutableError            a command exited non-zero (also a RuntimeError)
    │   ├── TaskTimeout                a task ran past its ``timeout=``
    │   ├── WorkerLost                 the worker running a task died too often
    │   ├── BackendLost                the backend went away under a task
    │   ├── SerializationError         arguments or result could not be pickled
    │   ├── OutputMissing              a declared output file was not produced
    │   ├── StagingError               an input file could not be fetched or found
    │   ├── ServiceError               a service task exited before it was ready
    │   ├── ServiceLost                a service died while tasks were using it
    │   └── DependencyFailureError     a dependency failed, so the task never ran
    ├── EngineError                    misuse of the engine itself
    │   ├── EngineClosedError          a task was submitted after ``shutdown()``
    │   ├── BlockingCallError          ``.result()`` on the engine's own loop thread
    │   └── UnknownBackendError        ``backend="name"`` names no backend
    └── BackendError                   a backend could not start or was misconfigured
        └── TaskDescriptionError       a ``task_description`` key the backend does not know

A function task that raises keeps its own exception; only the errors above are
made by radical.asyncflow.  Cancelled futures raise ``asyncio.CancelledError``,
as every asyncio future does.
"""

from __future__ import annotations

from collections.abc import Sequence


class AsyncFlowError(Exception):
    """Base class of every error radical.asyncflow raises itself."""


class TaskError(AsyncFlowError):
    """A task finished without a value for a reason radical.asyncflow detected."""


class ExecutableError(TaskError, RuntimeError):
    """An executable task's command exited with a non-zero code (or a signal)."""

    def __init__(self, task: str, command: str, exit_code: int | None, stderr: str = "") -> None:
        self.task = task
        self.command = command
        self.exit_code = exit_code
        self.stderr = stderr
        how = (
            f"was killed by signal {-exit_code}"
            if exit_code is not None and exit_code < 0
            else f"exited with code {exit_code}"
        )
        tail = f"\n--- stderr (last 4 KiB) ---\n{stderr}" if stderr else ""
        super().__init__(f"task '{task}': command {command!r} {how}{tail}")

    def __reduce__(self):  # keep the fields across pickling (process and Dask workers)
        return (type(self), (self.task, self.command, self.exit_code, self.stderr))


class TaskTimeout(TaskError, TimeoutError):
    """A task ran longer than its ``timeout=`` seconds."""


class WorkerLost(TaskError):
    """The worker process running a task died more often than allowed."""


class BackendLost(TaskError):
    """The execution backend went away (cluster closed, pilot failed) under a task."""


class SerializationError(TaskError):
    """A task's arguments or result could not be serialised for its worker."""


class OutputMissing(TaskError):
    """A task finished but did not create an output it declared."""


class StagingError(TaskError):
    """An ``InputFile`` could not be downloaded (or does not exist) when its task ran."""


class ServiceError(TaskError):
    """A service task exited (or could not start) before it reported ready."""


class ServiceLost(TaskError):
    """A service task died after it was ready; its unfinished dependents fail with it."""


class DependencyFailureError(TaskError):
    """A task could not run because one of its dependencies failed.

    ``failed_dependencies`` names the direct dependencies that failed,
    ``root_cause`` is the exception of the task where the failure started, and
    ``__cause__`` is the same object, so tracebacks show the original error.
    """

    def __init__(
        self,
        message: str,
        failed_dependencies: Sequence[str] | None = None,
        root_cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.failed_dependencies = list(failed_dependencies or [])
        self.root_cause = root_cause
        self.__cause__ = root_cause

    def __reduce__(self):
        return (type(self), (str(self), self.failed_dependencies, self.root_cause))


class EngineError(AsyncFlowError):
    """The engine was used in a way it does not support."""


class EngineClosedError(EngineError):
    """A task was called after the engine was shut down."""


class BlockingCallError(EngineError):
    """A blocking call (``.result()``, ``.exception()``) was made on the engine's loop thread."""


class UnknownBackendError(EngineError, KeyError):
    """A task asked for a backend name the engine does not have."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class BackendError(AsyncFlowError):
    """An execution backend could not start or was misconfigured."""


class TaskDescriptionError(BackendError, ValueError):
    """A ``task_description`` has a key or value the backend cannot honour."""


__all__ = [
    "AsyncFlowError",
    "BackendError",
    "BackendLost",
    "BlockingCallError",
    "DependencyFailureError",
    "EngineClosedError",
    "EngineError",
    "ExecutableError",
    "OutputMissing",
    "SerializationError",
    "ServiceError",
    "ServiceLost",
    "StagingError",
    "TaskDescriptionError",
    "TaskError",
    "TaskTimeout",
    "UnknownBackendError",
    "WorkerLost",
]
