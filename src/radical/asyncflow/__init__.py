"""radical.asyncflow: asynchronous workflows with an ahead-of-time compiler.

The dynamic API::

    from radical.asyncflow import WorkflowEngine, LocalExecutionBackend

    flow = WorkflowEngine(backend=LocalExecutionBackend())

    @flow.function_task
    def double(x):
        return 2 * x

    print(double(double(21)).result())
    flow.shutdown()

Dask and Radical.Pilot backends are imported only when first used.
"""

from __future__ import annotations

from typing import Any

from . import errors
from .data import InputFile, OutputFile
from .errors import DependencyFailureError
from .runtime.backends import (
    ConcurrentExecutionBackend,
    CoroutineBackend,
    ExecutionBackend,
    LocalExecutionBackend,
    NoopExecutionBackend,
    TaskSpec,
    ThreadExecutionBackend,
)
from .runtime.engine import WorkflowEngine
from .runtime.events import TaskEvent
from .runtime.futures import TaskFuture
from .runtime.results import CommandOutput
from .runtime.services import ServiceInfo

__version__ = "0.1.0.dev0"


def __getattr__(name: str) -> Any:
    if name in ("DaskExecutionBackend", "RadicalExecutionBackend"):
        from .runtime import backends

        return getattr(backends, name)
    raise AttributeError(f"module 'radical.asyncflow' has no attribute {name!r}")


__all__ = [
    "CommandOutput",
    "ConcurrentExecutionBackend",
    "CoroutineBackend",
    "DaskExecutionBackend",
    "DependencyFailureError",
    "ExecutionBackend",
    "InputFile",
    "LocalExecutionBackend",
    "NoopExecutionBackend",
    "OutputFile",
    "RadicalExecutionBackend",
    "ServiceInfo",
    "TaskEvent",
    "TaskFuture",
    "TaskSpec",
    "ThreadExecutionBackend",
    "WorkflowEngine",
    "__version__",
    "errors",
]
