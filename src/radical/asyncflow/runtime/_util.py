"""Small asyncio helpers shared by backends."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking call in a fresh thread that ends with it (no pool left behind)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if fut.done():
            return
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)

    def run() -> None:
        try:
            value = fn(*args)
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, False, exc)
        else:
            loop.call_soon_threadsafe(settle, True, value)

    thread = threading.Thread(
        target=run, name=f"raf-{getattr(fn, '__name__', 'call')}", daemon=True
    )
    thread.start()
    try:
        return await fut
    finally:
        if fut.done():
            thread.join()  # it has already handed over its outcome: returns at once
