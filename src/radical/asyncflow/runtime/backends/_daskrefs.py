"""Large results stay on the cluster: passing them to the next task by reference.

The engine resolves a task's dependencies to values before it submits the
task, so a backend only ever sees values.  For small values that is the
cheapest path: they ride inside the task message.  A large value, though,
would travel worker -> client (the engine needs it) and then client ->
worker again inside every dependent's message.

:class:`KeptResults` removes the second trip.  When a function task's
pickled result is at least ``min_bytes`` long and the value supports weak
references (NumPy arrays, DataFrames, instances of most classes), the backend
keeps the task's Dask future for as long as the engine or the user keeps the
value alive.  When that very object (identity, not equality) turns up in a
later task's arguments, :meth:`KeptResults.swap` replaces it by a :class:`Ref`
and hands the Dask future to ``client.submit``; Dask moves the data between
workers and :func:`fill` puts the value back in place on the worker.  Once
the value is garbage-collected the weak reference's callback drops the Dask
future, and Dask frees the data.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

_CONTAINERS = (list, tuple, dict, set, frozenset)
MIN_BYTES = 64 * 1024


class Ref:
    """Stands for the ``index``-th value passed to the worker by reference."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __reduce__(self) -> tuple[Any, ...]:
        return (Ref, (self.index,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.index == self.index

    def __hash__(self) -> int:
        return hash((Ref, self.index))


class KeptResults:
    """Dask futures of large results, keyed by the identity of their value."""

    def __init__(self, min_bytes: int = MIN_BYTES) -> None:
        self.min_bytes = min_bytes
        self._kept: dict[int, tuple[weakref.ref[Any], Any]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, value: Any, size: int, future: Any) -> None:
        """Remember ``future`` as the cluster's copy of ``value`` (if worth it)."""
        if size < self.min_bytes:
            return
        key, kept = id(value), self._kept

        def forget(_: weakref.ref[Any]) -> None:  # the value is gone: let Dask free its copy
            kept.pop(key, None)

        try:
            ref = weakref.ref(value, forget)
        except TypeError:  # no weak references: cannot tell when to let go
            return
        kept[key] = (ref, future)

    def clear(self) -> None:
        self._kept.clear()

    def swap(self, args: tuple[Any, ...], kwargs: dict[str, Any]
             ) -> tuple[tuple[Any, ...], dict[str, Any], list[Any]]:
        """Kept values in the arguments replaced by Refs, and their futures in order."""
        if not self._kept:
            return args, kwargs, []
        futures: list[Any] = []
        slots: dict[int, Ref] = {}

        def one(obj: Any) -> Any:
            entry = self._kept.get(id(obj))
            if entry is not None and entry[0]() is obj:
                ref = slots.get(id(obj))
                if ref is None:
                    ref = slots[id(obj)] = Ref(len(futures))
                    futures.append(entry[1])
                return ref
            return _rebuild(obj, one) if isinstance(obj, _CONTAINERS) else obj

        new_args = tuple(one(a) for a in args)
        new_kwargs = {k: one(v) for k, v in kwargs.items()}
        if not futures:
            return args, kwargs, []
        return new_args, new_kwargs, futures


def fill(args: tuple[Any, ...], kwargs: dict[str, Any], values: list[Any]
         ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """On the worker: every Ref replaced by its value."""

    def one(obj: Any) -> Any:
        if isinstance(obj, Ref):
            return values[obj.index]
        return _rebuild(obj, one) if isinstance(obj, _CONTAINERS) else obj

    return tuple(one(a) for a in args), {k: one(v) for k, v in kwargs.items()}


def _rebuild(obj: Any, one: Callable[[Any], Any]) -> Any:
    """``obj`` (a list, tuple, named tuple, dict or set) with ``one`` applied to each item."""
    if isinstance(obj, dict):
        items = {k: one(v) for k, v in obj.items()}
        return items if type(obj) is dict else type(obj)(items)
    items_list = [one(item) for item in obj]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*items_list)
    return type(obj)(items_list)
