"""Run the analysis in a worker thread with a big stack and a raised recursion limit.

libcst and the symbolic evaluator recurse once per nesting level of an
expression.  The ``ast.parse`` gate already rejects what CPython cannot parse,
but chains of a few thousand ``+``/attribute/call links still exceed the
default limit of 1,000 frames.  A dedicated thread with a 256 MiB stack and a
limit of 30,000 handles them; whatever still fails surfaces as the exception
the caller turns into RAF103.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 30_000
_lock = threading.Lock()


def run_with_big_stack(func: Callable[[], T]) -> T:
    """Call ``func()`` in a fresh big-stack thread; return its value or raise its exception."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:
            box["error"] = exc

    with _lock:
        old_stack = threading.stack_size(STACK_BYTES)
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="raf-compiler", daemon=True)
            thread.start()
        finally:
            threading.stack_size(old_stack)
        thread.join()
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
