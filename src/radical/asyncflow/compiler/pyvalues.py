"""Conversions between symbolic constants and Python values, with size limits."""

from __future__ import annotations

from typing import Any

from .constfold import MAX_LEN, TooLarge
from .values import Const, DictV, ListV, RangeV, SetV, TupleV, Value


class NotConst(Exception):
    pass


def to_py(value: Value, budget: list[int] | None = None) -> Any:
    """The Python value of a fully constant symbolic value, else NotConst."""
    budget = budget if budget is not None else [MAX_LEN]
    budget[0] -= 1
    if budget[0] < 0:
        raise NotConst("too large")
    if isinstance(value, Const):
        return value.value
    if isinstance(value, ListV):
        return [to_py(v, budget) for v in value.items]
    if isinstance(value, TupleV):
        return tuple(to_py(v, budget) for v in value.items)
    if isinstance(value, SetV):
        return {to_py(v, budget) for v in value.items}
    if isinstance(value, DictV):
        return {k: to_py(v, budget) for k, v in value.items.items()}
    if isinstance(value, RangeV):
        return range(value.start, value.stop, value.step)
    raise NotConst(type(value).__name__)


def from_py(obj: Any, budget: list[int] | None = None) -> Value:
    """A symbolic value for a Python result; TooLarge past the size cap."""
    budget = budget if budget is not None else [MAX_LEN]
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge("value")
    if isinstance(obj, str | bytes) and len(obj) > MAX_LEN:
        raise TooLarge("string")
    if isinstance(obj, list):
        return ListV([from_py(v, budget) for v in obj])
    if isinstance(obj, tuple):
        return TupleV(tuple(from_py(v, budget) for v in obj))
    if isinstance(obj, set | frozenset):
        return SetV([from_py(v, budget) for v in _sorted(obj)])
    if isinstance(obj, dict):
        return DictV({k: from_py(v, budget) for k, v in obj.items()})
    if isinstance(obj, range):
        return RangeV(obj.start, obj.stop, obj.step)
    return Const(obj)


def _sorted(items: Any) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def hashable_key(value: Value) -> Any:
    """A dict key from a symbolic value, else NotConst."""
    key = to_py(value)
    hash(key)
    return key
