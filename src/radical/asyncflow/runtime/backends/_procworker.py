"""Code that runs inside worker processes of the local process pool."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import cloudpickle

from ...errors import SerializationError
from .base import TaskSpec

_SLOTS: Any = None
_SLOT = 0


def init(slots: Any, counter: Any, lock: Any, size: int) -> None:
    """Pool initializer: claim a slot where this worker records its running task."""
    global _SLOTS, _SLOT
    with lock:
        _SLOT = counter.value % (size + 1)
        counter.value += 1
    _SLOTS = slots
    slots[2 * _SLOT] = os.getpid()


def dump_call(spec: TaskSpec) -> bytes:
    """Pickle a call, or say which argument cannot travel to a worker process."""
    try:
        return cloudpickle.dumps((spec.function, spec.args, spec.kwargs, spec.is_async))
    except Exception as exc:
        raise SerializationError(
            f"task '{spec.name}': {_culprit(spec)} cannot be pickled "
            f"for a worker process ({type(exc).__name__}: {exc})"
        ) from None


def _culprit(spec: TaskSpec) -> str:
    named = [("the function", spec.function)]
    named += [(f"argument {i} ({type(a).__name__})", a) for i, a in enumerate(spec.args)]
    named += [(f"argument {k}= ({type(v).__name__})", v) for k, v in spec.kwargs.items()]
    for label, value in named:
        try:
            cloudpickle.dumps(value)
        except Exception:
            return label
    return "the call"


def call(payload: bytes, token: int) -> tuple[bool, bytes]:
    """Run one pickled call in the worker; never raise (errors travel pickled)."""
    if _SLOTS is not None:
        _SLOTS[2 * _SLOT + 1] = token
    try:
        fn, args, kwargs, is_async = cloudpickle.loads(payload)
        value = asyncio.run(fn(*args, **kwargs)) if is_async else fn(*args, **kwargs)
        ok = True
    except BaseException as exc:
        value, ok = exc, False
    finally:
        if _SLOTS is not None:
            _SLOTS[2 * _SLOT + 1] = 0
    try:
        return ok, cloudpickle.dumps(value)
    except Exception as exc:
        error = SerializationError(
            f"the {'result' if ok else 'exception'} ({type(value).__name__}) cannot be pickled "
            f"back from the worker process ({type(exc).__name__}: {exc})"
        )
        return False, cloudpickle.dumps(error)


def load_outcome(outcome: tuple[bool, bytes]) -> tuple[bool, Any]:
    ok, data = outcome
    return ok, cloudpickle.loads(data)
