"""Symbolic values of the evaluator.

A value is either known at compile time (:class:`Const` and the containers),
refers to a node (:class:`FutureV`, :class:`ResultV`), or is only known at run
time (:class:`Opaque`, :class:`TemplateV`), in which case it remembers the
nodes it was computed from (``deps``): that is how edges are found.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

TASK_KINDS = {"function_task": "function", "executable_task": "executable", "block": "block"}


class Value:
    """Base class of symbolic values."""

    __slots__ = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Const(Value):
    value: Any


@dataclasses.dataclass(eq=False, slots=True)
class ListV(Value):
    items: list[Value]


@dataclasses.dataclass(frozen=True, slots=True)
class TupleV(Value):
    items: tuple[Value, ...]


@dataclasses.dataclass(eq=False, slots=True)
class SetV(Value):
    items: list[Value]


@dataclasses.dataclass(eq=False, slots=True)
class DictV(Value):
    """Keys are plain hashable Python constants; values are symbolic."""

    items: dict[Any, Value]


@dataclasses.dataclass(frozen=True, slots=True)
class RangeV(Value):
    start: int
    stop: int
    step: int

    def __len__(self) -> int:
        return len(range(self.start, self.stop, self.step))


@dataclasses.dataclass(frozen=True, slots=True)
class FutureV(Value):
    """The future returned by calling a task or block (node index)."""

    node: int


@dataclasses.dataclass(frozen=True, slots=True)
class ResultV(Value):
    """The value of a node, from ``.result()`` or ``await``."""

    node: int


@dataclasses.dataclass(frozen=True, slots=True)
class Opaque(Value):
    """A run-time value. ``maybe_task``: calling it could create a task."""

    deps: frozenset[int]
    text: str
    maybe_task: bool = False
    nondeterministic: str | None = None
    #: (dynamic node, name): the variable as that region left it (``$output``)
    bound_by: tuple[int, str] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Hole:
    text: str
    deps: frozenset[int]
    nondeterministic: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class TemplateV(Value):
    """A string with run-time parts (an f-string over a task result)."""

    parts: tuple[str | Hole, ...]


@dataclasses.dataclass(eq=False, slots=True)
class EngineV(Value):
    text: str
    known: bool = True
    closed_at: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class DecoratorV(Value):
    engine: EngineV
    kind: str
    options: tuple[tuple[str, Value], ...] = ()
    text: str = ""


@dataclasses.dataclass(eq=False, slots=True)
class FuncV(Value):
    """A helper function or lambda of the module (inlined when called)."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    env: Any
    name: str


@dataclasses.dataclass(eq=False, slots=True)
class TaskFnV(Value):
    func: FuncV
    kind: str
    engine: EngineV
    options: dict[str, Value]
    def_line: int


@dataclasses.dataclass(eq=False, slots=True)
class CoroV(Value):
    """A coroutine object: calling an ``async def`` helper, run when awaited."""

    func: FuncV
    args: tuple[Value, ...]
    kwargs: dict[str, Value]
    span_node: ast.AST


@dataclasses.dataclass(frozen=True, slots=True)
class AwaitableV(Value):
    """Something that yields ``value`` when awaited (``create``, ``gather``)."""

    value: Value


@dataclasses.dataclass(frozen=True, slots=True)
class FileV(Value):
    """``InputFile(name)`` (``direction`` "in") or ``OutputFile(name)`` ("out")."""

    direction: str
    name: Value

    @property
    def literal(self) -> str | None:
        """The file name when it is a compile-time string, else None."""
        value = self.name.value if isinstance(self.name, Const) else None
        return value if isinstance(value, str) and value else None


@dataclasses.dataclass(frozen=True, slots=True)
class ExternalV(Value):
    """An imported name, known by its dotted qualified name."""

    qualname: str
    user_module: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class BuiltinV(Value):
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class MethodV(Value):
    obj: Value
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class ModuleGlobalsV(Value):
    """``sys.modules[__name__]`` / ``globals()``: getattr on it is dispatch."""


def deps(value: Value) -> set[int]:
    """Nodes a value was computed from (iterative: containers may be deep)."""
    found: set[int] = set()
    stack: list[Value] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, FutureV | ResultV):
            found.add(v.node)
        elif isinstance(v, Opaque):
            found.update(v.deps)
        elif isinstance(v, TemplateV):
            found.update(d for p in v.parts if isinstance(p, Hole) for d in p.deps)
        elif isinstance(v, ListV | SetV | TupleV):
            stack.extend(v.items)
        elif isinstance(v, DictV):
            stack.extend(v.items.values())
        elif isinstance(v, AwaitableV):
            stack.append(v.value)
        elif isinstance(v, MethodV):
            stack.append(v.obj)
        elif isinstance(v, CoroV):
            stack.extend(v.args)
            stack.extend(v.kwargs.values())
        elif isinstance(v, FileV):
            stack.append(v.name)
    return found


def file_refs(values: list[Value]) -> list[FileV]:
    """Every ``InputFile``/``OutputFile`` in ``values`` (nested containers too)."""
    found: list[FileV] = []
    stack = list(reversed(values))
    while stack:
        v = stack.pop()
        if isinstance(v, FileV):
            found.append(v)
        elif isinstance(v, ListV | SetV | TupleV):
            stack.extend(reversed(v.items))
        elif isinstance(v, DictV):
            stack.extend(reversed(list(v.items.values())))
    return found


def is_runtime(value: Value) -> bool:
    return isinstance(value, FutureV | ResultV | Opaque | TemplateV)


def contains(value: Value, kinds: tuple[type, ...]) -> bool:
    stack: list[Value] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, kinds):
            return True
        if isinstance(v, ListV | SetV | TupleV):
            stack.extend(v.items)
        elif isinstance(v, DictV):
            stack.extend(v.items.values())
    return False


def nondeterminism(value: Value) -> str | None:
    """The first nondeterministic source a value was computed from, if any."""
    stack: list[Value] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Opaque) and v.nondeterministic:
            return v.nondeterministic
        if isinstance(v, TemplateV):
            notes = [p.nondeterministic for p in v.parts if isinstance(p, Hole)]
            if any(notes):
                return next(n for n in notes if n)
        if isinstance(v, ListV | SetV | TupleV):
            stack.extend(v.items)
        elif isinstance(v, DictV):
            stack.extend(v.items.values())
    return None
