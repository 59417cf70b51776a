"""The traced process: run the user's module under the recording engine.

Invoked as ``python -m radical.asyncflow.trace PATH``.  The module's own
output (stdout, including child processes) goes to stderr; the recorded
events are written as one JSON document to the original stdout.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from typing import Any

from ..runtime.engine import WorkflowEngine, override_backend
from .placeholder import TraceDataError
from .recorder import Recorder, rebrand_blocks


def _patch_engine(recorder: Recorder) -> None:
    original = WorkflowEngine.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder.attach(self)

    WorkflowEngine.__init__ = init  # type: ignore[method-assign]
    rebrand_blocks(WorkflowEngine)


def _run(path: str, recorder: Recorder) -> dict[str, Any] | None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.argv = [path]
    try:
        with override_backend(recorder.backend_factory):
            runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            return {"type": "SystemExit", "message": str(exc.code), "line": 0}
    except BaseException as exc:  # the user's module failed: report it as data
        line = _user_line(exc, path)
        kind = "TraceDataError" if isinstance(exc, TraceDataError) else type(exc).__name__
        return {"type": kind, "message": str(exc), "line": line}
    finally:
        _close(recorder)
    return None


def _user_line(exc: BaseException, path: str) -> int:
    target = os.path.abspath(path)
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == target:
            line = frame.lineno or 0
    return line


def _close(recorder: Recorder) -> None:
    for engine in recorder.engines:
        try:
            if not engine.is_shut_down:
                engine.shutdown()
        except BaseException:
            pass


def main(argv: list[str]) -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    recorder = Recorder()
    _patch_engine(recorder)
    error = _run(argv[0], recorder)
    json.dump({"events": recorder.events, "error": error}, out)
    out.flush()
    return 0
