"""Decorated task functions: what ``@flow.function_task`` and friends return."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import WorkflowEngine
    from .futures import TaskFuture

FUNCTION, EXECUTABLE, BLOCK = "function", "executable", "block"
_OPTIONS = frozenset({"task_description", "retries", "timeout", "backend", "service", "name"})


class TaskTemplate:
    """A decorated function. Calling it creates a task and returns its future.

    Call-time keywords ``task_description=`` (merged over the definition's),
    ``workflow_id=`` and ``backend=`` are options, never passed to the body.
    """

    def __init__(
        self,
        engine: WorkflowEngine,
        function: Callable[..., Any],
        kind: str,
        *,
        task_description: Mapping[str, Any] | None = None,
        retries: int = 0,
        timeout: float | None = None,
        backend: str | None = None,
        service: bool = False,
        name: str | None = None,
    ) -> None:
        if not callable(function):
            raise TypeError(f"@flow.{kind}_task needs a function, got {function!r}")
        self.engine = engine
        self.function = function
        self.kind = kind
        self.name: str = name or str(getattr(function, "__name__", "task"))
        self.is_async = inspect.iscoroutinefunction(function)
        self.description = dict(_signature_description(function) or {})
        self.description.update(task_description or {})
        if retries < 0:
            raise ValueError(f"{self.name}: retries must be >= 0, got {retries}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"{self.name}: timeout must be > 0 seconds, got {timeout}")
        self.retries = retries
        self.timeout = timeout
        self.backend = backend
        self.service = service
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    def __call__(self, *args: Any, **kwargs: Any) -> TaskFuture:
        call_desc = kwargs.pop("task_description", None)
        workflow_id = kwargs.pop("workflow_id", None)
        backend = kwargs.pop("backend", None) if "backend" in kwargs else None
        if call_desc is not None and not isinstance(call_desc, Mapping):
            raise TypeError(f"{self.name}: task_description must be a dict, got {call_desc!r}")
        return self.engine._new_task(self, args, kwargs, call_desc, workflow_id, backend)

    def __repr__(self) -> str:
        return f"<{self.kind} task {self.name}>"


def _signature_description(function: Callable[..., Any]) -> Mapping[str, Any] | None:
    """A ``task_description={...}`` keyword default in the signature (seed-era style)."""
    try:
        param = inspect.signature(function).parameters.get("task_description")
    except (TypeError, ValueError):
        return None
    if param is None or param.default is inspect.Parameter.empty:
        return None
    if not isinstance(param.default, Mapping):
        raise TypeError(f"{function.__name__}: task_description default must be a dict")
    return param.default


def make_decorator(engine: WorkflowEngine, kind: str, func: Any, options: dict[str, Any]) -> Any:
    """Support both ``@flow.x`` and ``@flow.x(option=...)``."""
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown @flow.{kind} option(s): {', '.join(sorted(unknown))}")
    if func is not None:
        return TaskTemplate(engine, func, kind, **options)
    return lambda f: TaskTemplate(engine, f, kind, **options)
