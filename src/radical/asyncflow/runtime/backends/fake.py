"""A backend for tests that decides every task's fate.

``FakeBackend`` runs function bodies inline (or returns a fixed value) and
lets a test script outcomes by task name: ``fake.fail("b", ValueError())``,
``fake.succeed("c", 42)``, or hold a task until released::

    gate = fake.hold("slow")
    fut = slow()
    await gate.started.wait()     # asyncio.Event: the task is "running"
    gate.release(7)               # or gate.fail(exc)

No sleeps: interleavings are pinned down by gates.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ..results import CommandOutput
from .base import ExecutionBackend, TaskSpec

_RUN = object()


class Gate:
    """Holds every task of one name until released."""

    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend
        self.specs: list[TaskSpec] = []
        self.started = asyncio.Event()
        self.started_threadsafe = threading.Event()
        self.open: tuple[bool, Any] | None = None

    def _arrive(self, spec: TaskSpec) -> None:
        if self.open is not None:
            self.backend._report(spec, *self.open)
            return
        self.specs.append(spec)
        self.backend.sink.running(spec.uid)
        self.started.set()
        self.started_threadsafe.set()

    def release(self, value: Any = None) -> None:
        self._settle(True, value)

    def fail(self, error: BaseException) -> None:
        self._settle(False, error)

    def _settle(self, ok: bool, value: Any) -> None:
        self.open = (ok, value)
        specs, self.specs = self.specs, []
        for spec in specs:
            self.backend._report(spec, ok, value)


class FakeBackend(ExecutionBackend):
    """Scriptable backend; records what was submitted and cancelled."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self.submitted: list[TaskSpec] = []
        self.cancelled: list[tuple[str, str]] = []
        self.fates: dict[str, tuple[bool, Any]] = {}
        self.gates: dict[str, Gate] = {}
        self.shut_down = 0

    def succeed(self, name: str, value: Any) -> None:
        self.fates[name] = (True, value)

    def fail(self, name: str, error: BaseException) -> None:
        self.fates[name] = (False, error)

    def hold(self, name: str) -> Gate:
        gate = self.gates[name] = Gate(self)
        return gate

    def submit(self, spec: TaskSpec) -> None:
        self.submitted.append(spec)
        gate = self.gates.get(spec.name)
        if gate is not None:
            gate._arrive(spec)
            return
        ok, value = self.fates.get(spec.name, (True, _RUN))
        if value is _RUN:
            ok, value = self._run(spec)
        self._report(spec, ok, value)

    def _run(self, spec: TaskSpec) -> tuple[bool, Any]:
        if spec.kind == "executable":
            return True, CommandOutput(spec.command or "")
        if spec.is_async:
            return False, TypeError("FakeBackend runs only def bodies; script async ones")
        try:
            return True, spec.function(*spec.args, **spec.kwargs)  # type: ignore[misc]
        except Exception as exc:
            return False, exc

    def _report(self, spec: TaskSpec, ok: bool, value: Any) -> None:
        if isinstance(value, BaseException) and ok is False:
            self.sink.failed(spec.uid, value)
        elif ok:
            self.sink.succeeded(spec.uid, value)
        else:
            self.sink.failed(spec.uid, value)

    def cancel(self, uid: str, reason: str) -> None:
        self.cancelled.append((uid, reason))
        for gate in self.gates.values():
            for spec in list(gate.specs):
                if spec.uid == uid:
                    gate.specs.remove(spec)
        self.sink.cancelled(uid, reason)

    async def shutdown(self) -> None:
        self.shut_down += 1
