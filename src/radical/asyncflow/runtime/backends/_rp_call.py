"""The function-task trampoline that runs inside a RAPTOR worker.

RAPTOR ships a function by reference with ``dill`` and its arguments with
plain ``pickle``, and sends the return value back through its message bus, so
a user function defined in a test module, a lambda argument or a NumPy
result can each break a task in a different place.  Instead we send one
importable coroutine function, :func:`call`, with a single text argument: the
cloudpickled ``(function, args, kwargs, is_async[, dirs])``.  It returns the
cloudpickled ``(ok, value_or_exception)`` as text, which the client decodes.
Exceptions raised by the user's function thus arrive with their own type.

This module is imported in the worker's task process: keep its imports small.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import cloudpickle


def encode(obj: Any) -> str:
    return base64.b64encode(cloudpickle.dumps(obj)).decode("ascii")


def decode(text: str) -> Any:
    return cloudpickle.loads(base64.b64decode(text))


async def call(payload: str) -> str:
    """Run one packed call; never raises for the user's own errors.

    The payload may carry a fifth item: directories to make (relative to the
    task's sandbox, the working directory) before the call, for its outputs.
    """
    fn, args, kwargs, is_async, *dirs = decode(payload)
    try:
        for path in dirs[0] if dirs else ():
            os.makedirs(path, exist_ok=True)
        value = fn(*args, **kwargs)
        if is_async:
            value = await value
    except Exception as exc:  # shipped back to the client
        return _pack(False, exc)
    return _pack(True, value)


def _pack(ok: bool, value: Any) -> str:
    try:
        return encode((ok, value))
    except Exception as exc:  # an unpicklable result or exception
        from ...errors import SerializationError

        what = "result" if ok else f"exception {type(value).__name__}: {value}"
        return encode((False, SerializationError(
            f"the task's {what} could not be pickled to send it back: {exc}")))
