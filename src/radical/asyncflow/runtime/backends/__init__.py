"""Execution backends. Dask and Radical.Pilot load only when used."""

from __future__ import annotations

from typing import Any

from .base import CoroutineBackend, ExecutionBackend, TaskSink, TaskSpec
from .local import LocalExecutionBackend
from .noop import NoopExecutionBackend

ConcurrentExecutionBackend = LocalExecutionBackend


def ThreadExecutionBackend(
    options: dict[str, Any] | None = None, **kwargs: Any
) -> LocalExecutionBackend:
    """The seed-era name: ``ThreadExecutionBackend({'max_workers': 4})``."""
    return LocalExecutionBackend(dict(options or {}), **kwargs)


def __getattr__(name: str) -> Any:
    if name == "DaskExecutionBackend":
        from .dask import DaskExecutionBackend

        return DaskExecutionBackend
    if name == "RadicalExecutionBackend":
        from .radical_pilot import RadicalExecutionBackend

        return RadicalExecutionBackend
    raise AttributeError(name)


__all__ = [
    "ConcurrentExecutionBackend",
    "CoroutineBackend",
    "DaskExecutionBackend",
    "ExecutionBackend",
    "LocalExecutionBackend",
    "NoopExecutionBackend",
    "RadicalExecutionBackend",
    "TaskSink",
    "TaskSpec",
    "ThreadExecutionBackend",
]
