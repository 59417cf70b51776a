"""Finding futures in call arguments and replacing them by their values.

A future anywhere in the arguments is a dependency: positional, keyword, and
nested in lists, tuples (named tuples included), dicts (values) and sets.  Other
objects are opaque: the engine does not look inside them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .futures import TaskFuture

_result = asyncio.Future.result
_CONTAINERS = (list, tuple, dict, set, frozenset)


def find_futures(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[TaskFuture]:
    """Every distinct future in the arguments, in first-seen order."""
    found: dict[int, TaskFuture] = {}
    seen: set[int] = set()
    stack: list[Any] = [*kwargs.values(), *reversed(args)] if kwargs else list(args)
    while stack:
        obj = stack.pop()
        if isinstance(obj, TaskFuture):
            found.setdefault(id(obj), obj)
        elif isinstance(obj, _CONTAINERS):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            stack.extend(obj.values() if isinstance(obj, dict) else obj)
    return list(found.values())


def substitute(obj: Any) -> Any:
    """``obj`` with every (settled) future replaced by its value."""
    if isinstance(obj, TaskFuture):
        return _result(obj)
    if not isinstance(obj, _CONTAINERS):
        return obj
    if isinstance(obj, dict):
        return (
            type(obj)({k: substitute(v) for k, v in obj.items()})
            if type(obj) is not dict
            else {k: substitute(v) for k, v in obj.items()}
        )
    items = [substitute(item) for item in obj]
    if type(obj) in (list, tuple, set, frozenset):
        return type(obj)(items)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # named tuple
        return type(obj)(*items)
    return type(obj)(items)


def resolve_call(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return tuple(substitute(a) for a in args), {k: substitute(v) for k, v in kwargs.items()}
