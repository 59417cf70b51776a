"""The recording side of ``raf compile --trace``: a dry backend and an event log.

Runs inside the traced process.  Every engine the module creates uses
:class:`RecordingBackend` (through the runtime's ``override_backend``); each
task "succeeds" at once with a :class:`Placeholder`; every ``created`` event is
turned into a raw node.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import threading
from typing import Any

from ..data import InputFile, OutputFile
from ..ir.values import (
    FUTURE,
    INPUT_FILE,
    OUTPUT_FILE,
    RESULT,
    RUNTIME,
    encode_dict,
    encode_float,
    encode_set,
)
from ..runtime.backends.base import ExecutionBackend, TaskSpec
from .placeholder import MARKER, Placeholder, producers_of


class RecordingBackend(ExecutionBackend):
    """Dry run: no body runs; results are placeholders that name their task."""

    dry_run = True

    def __init__(self, prefix: str) -> None:
        super().__init__("recording")
        self.prefix = prefix

    def submit(self, spec: TaskSpec) -> None:
        self.sink.succeeded(spec.uid, Placeholder({self.prefix + spec.uid}, direct=True))

    def cancel(self, uid: str, reason: str) -> None:
        self.sink.cancelled(uid, reason)

    async def shutdown(self) -> None:
        return None


class Recorder:
    """Collects ``created`` events of every engine, in creation order."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.engines: list[Any] = []
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    def backend_factory(self) -> RecordingBackend:
        return RecordingBackend(f"e{next(self._serial)}:")

    def attach(self, engine: Any) -> None:
        prefix = engine.backend.prefix if isinstance(engine.backend, RecordingBackend) else "e0:"
        self.engines.append(engine)
        engine.subscribe(functools.partial(self.on_event, prefix))

    def on_event(self, prefix: str, event: Any) -> None:
        if event.kind != "created":
            return
        record = {
            "uid": prefix + event.uid,
            "name": event.name,
            "kind": event.task_kind,
            "parent": prefix + event.parent if event.parent else None,
            "deps": [prefix + d for d in event.dependencies],
            "callsite": list(event.callsite) if event.callsite else None,
            "args": [encode(a, prefix) for a in event.args],
            "kwargs": {k: encode(v, prefix) for k, v in event.kwargs.items()},
            "backend": event.backend,
        }
        if event.task_kind != "block":
            record.update(file_names(event.args, event.kwargs))
        with self._lock:
            self.events.append(record)


def encode(value: Any, prefix: str) -> Any:
    """The IR value encoding of a raw argument; references are uids."""
    from ..runtime.futures import TaskFuture

    if isinstance(value, TaskFuture):
        return {FUTURE: prefix + value.uid}
    if isinstance(value, Placeholder):
        producers = sorted(value._producers)
        if value._direct and len(producers) == 1:
            return {RESULT: producers[0]}
        return {RUNTIME: producers}
    if isinstance(value, str):
        return {RUNTIME: sorted(producers_of(value))} if MARKER.search(value) else value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return encode_float(value)
    return _encode_container(value, prefix)


def file_names(args: Any, kwargs: Any) -> dict[str, list[str]]:
    """Literal input (not downloaded) and output names, as the static compiler lists them."""
    from ..runtime.files import collect

    refs = collect(tuple(args), dict(kwargs))
    return {
        "inputs": [r.name for r in refs if isinstance(r, InputFile) and r.url is None],
        "outputs": [r.name for r in refs if isinstance(r, OutputFile)],
    }


def _encode_container(value: Any, prefix: str) -> Any:
    if isinstance(value, list):
        return [encode(v, prefix) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, prefix) for v in value]}
    if isinstance(value, set | frozenset):
        return encode_set([encode(v, prefix) for v in value])
    if isinstance(value, dict):
        return encode_dict([(encode(k, prefix), encode(v, prefix)) for k, v in value.items()])
    if isinstance(value, bytes):
        return {"$bytes": value.decode("latin-1")}
    if isinstance(value, InputFile):
        return {INPUT_FILE: value.url or value.name}
    if isinstance(value, OutputFile):
        return {OUTPUT_FILE: value.name}
    if isinstance(value, range):
        return {"$object": f"range({value.start}, {value.stop}, {value.step})"}
    return {"$object": type(value).__name__}


def rebrand_blocks(engine_cls: Any) -> None:
    """A block's value is the block: wrap block bodies so their result names the block."""
    from ..runtime.driver import CURRENT_BLOCK

    original = engine_cls.block

    def block(self: Any, func: Any = None, **options: Any) -> Any:
        if func is None:
            return lambda f: block(self, f, **options)
        return original(self, _branded(func, CURRENT_BLOCK), **options)

    engine_cls.block = block


def _branded(func: Any, current: Any) -> Any:
    def brand() -> Placeholder:
        entry = current.get()
        engine, rec = entry if entry else (None, None)
        prefix = getattr(getattr(engine, "backend", None), "prefix", "e0:")
        return Placeholder({prefix + rec.uid} if rec else set(), direct=True)

    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            await func(*args, **kwargs)
            return brand()

        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        func(*args, **kwargs)
        return brand()

    return run
