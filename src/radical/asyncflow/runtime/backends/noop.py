"""The dry-run backend: no task body runs, every task succeeds at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import ExecutionBackend, TaskSpec

DUMMY_OUTPUT = "Dummy Output"


class NoopExecutionBackend(ExecutionBackend):
    """Every task resolves immediately to ``result`` (or ``result(spec)`` if callable).

    Executable bodies are not evaluated either (``dry_run = True``); blocks
    still run their bodies on the engine, so the workflow's shape is exercised.
    """

    dry_run = True

    def __init__(
        self, name: str | None = None, result: Any | Callable[[TaskSpec], Any] = DUMMY_OUTPUT
    ) -> None:
        super().__init__(name)
        self._result = result

    def submit(self, spec: TaskSpec) -> None:
        value = self._result(spec) if callable(self._result) else self._result
        self.sink.succeeded(spec.uid, value)

    def cancel(self, uid: str, reason: str) -> None:
        self.sink.cancelled(uid, reason)

    async def shutdown(self) -> None:
        return None
