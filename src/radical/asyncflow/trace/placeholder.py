"""Placeholder values of the recording dry run: they remember their producers.

A task's result in a trace is a :class:`Placeholder` naming the task.  Every
operation on it yields another placeholder carrying the union of producers, so
``x = t1().result(); t2(x * 2)`` still shows that ``t2`` depends on ``t1``.
Formatting one into a string embeds a marker (``⟦raf:uid⟧``) that the recorder
finds again in string arguments.  Deciding control flow on one (``bool``,
``len``, iteration) raises :class:`TraceDataError`: the static compiler calls
that a dynamic region, and a trace cannot decide it either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MARKER = re.compile(r"⟦raf:([^⟧]*)⟧")


class TraceDataError(TypeError):
    """Control flow or a conversion needed a task result's real value."""


def producers_of(value: Any) -> frozenset[str]:
    if isinstance(value, Placeholder):
        return value._producers
    if isinstance(value, str):
        return frozenset(u for m in MARKER.findall(value) for u in m.split(",") if u)
    return frozenset()


class Placeholder:
    __slots__ = ("_direct", "_producers")

    def __init__(self, producers: Iterable[str], direct: bool = False) -> None:
        self._producers = frozenset(producers)
        self._direct = direct

    def _combine(self, *others: Any) -> Placeholder:
        found = set(self._producers)
        for other in others:
            found |= producers_of(other)
        return Placeholder(found)

    def __str__(self) -> str:
        return "⟦raf:" + ",".join(sorted(self._producers)) + "⟧"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return str(self)

    def __hash__(self) -> int:
        return hash(self._producers)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._combine()

    def __getitem__(self, key: Any) -> Placeholder:
        return self._combine(key)

    def __call__(self, *args: Any, **kwargs: Any) -> Placeholder:
        return self._combine(*args, *kwargs.values())

    def _refuse(self, *_: Any) -> Any:
        raise TraceDataError(f"the value of {self} is only known at run time")

    __bool__ = __len__ = __iter__ = __index__ = __int__ = __float__ = __contains__ = _refuse


def _binary(name: str) -> Any:
    def method(self: Placeholder, other: Any = None, *rest: Any) -> Placeholder:
        return self._combine(other, *rest)

    method.__name__ = name
    return method


for _name in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "lshift", "rshift",
    "and", "or", "xor", "radd", "rsub", "rmul", "rtruediv", "rfloordiv", "rmod", "rpow",
    "rmatmul", "rlshift", "rrshift", "rand", "ror", "rxor", "eq", "ne", "lt", "le", "gt", "ge",
    "neg", "pos", "abs", "invert", "round", "divmod", "rdivmod",
):
    setattr(Placeholder, f"__{_name}__", _binary(f"__{_name}__"))
