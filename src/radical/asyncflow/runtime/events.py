"""Task lifecycle events that users can subscribe to.

``unsubscribe = flow.subscribe(callback)`` calls ``callback(event)`` on the
engine's loop thread for every :class:`TaskEvent`.  With no subscriber the
engine builds no event at all, so listening is free when nobody listens.
Kinds: ``created``, ``submitted``, ``running``, ``done``, ``failed``,
``cancelled``.  A callback that raises is logged and unsubscribed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("radical.asyncflow")


@dataclasses.dataclass(frozen=True, slots=True)
class TaskEvent:
    kind: str
    uid: str
    name: str
    task_kind: str
    time: float
    workflow_id: str | None = None
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    callsite: tuple[str, int] | None = None
    duration: float | None = None
    attempt: int = 1
    error: BaseException | None = None
    backend: str | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)


Callback = Callable[[TaskEvent], Any]


class EventBus:
    __slots__ = ("subscribers",)

    def __init__(self) -> None:
        self.subscribers: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        self.subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self.subscribers:
                self.subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: TaskEvent) -> None:
        for callback in list(self.subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber %r raised; unsubscribed", callback)
                self.subscribers.remove(callback)
