"""Environments, evaluation frames and control-flow signals of the evaluator."""

from __future__ import annotations

import dataclasses

from .values import FuncV, TaskFnV, Value


class Env:
    """One scope: module globals or a function's locals, chained to its closure."""

    __slots__ = ("declared_global", "parent", "vars")

    def __init__(self, parent: Env | None = None) -> None:
        self.vars: dict[str, Value] = {}
        self.parent = parent
        self.declared_global: set[str] = set()

    @property
    def module(self) -> Env:
        env = self
        while env.parent is not None:
            env = env.parent
        return env

    def lookup(self, name: str) -> Value | None:
        env: Env | None = self
        while env is not None:
            value = env.vars.get(name)
            if value is not None:
                return value
            env = env.parent
        return None

    def assign(self, name: str, value: Value) -> None:
        target = self.module if name in self.declared_global else self
        target.vars[name] = value

    def delete(self, name: str) -> None:
        self.vars.pop(name, None)


@dataclasses.dataclass(frozen=True, slots=True)
class BlockCall:
    task: TaskFnV
    line: int
    col: int
    key: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Frame:
    """Where evaluation is: scope, enclosing block node, function, call depth."""

    env: Env
    parent: int | None = None
    func: FuncV | None = None
    is_async: bool = False
    depth: int = 0
    blocks: tuple[BlockCall, ...] = ()

    def child(self, env: Env, func: FuncV, is_async: bool) -> Frame:
        return dataclasses.replace(self, env=env, func=func, is_async=is_async,
                                   depth=self.depth + 1)


class ReturnSignal(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class BreakSignal(Exception):
    pass


class ContinueSignal(Exception):
    pass


class StopModule(Exception):
    """``raise`` / ``sys.exit()`` at a point the evaluation reaches: nothing after runs."""


class DynamicJump(Exception):
    """``break``/``continue``/``return`` under a run-time condition inside an unrolled loop."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
