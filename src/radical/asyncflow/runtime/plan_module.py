"""Module mode: run a plan whose graph has dynamic regions by running its module.

**The limit, stated plainly.**  A dynamic region (a ``while`` loop, a loop over
a result, ...) is workflow code whose tasks depend on run-time values; the
plan cannot list them.  Rather than re-implementing part of the workflow body,
plans with dynamic regions (``"mode": "dynamic"``) run the module itself, a
copy kept in the plan directory (``source.py``), on the chosen backend, and
*record* what it created.  The static part of the plan is still enforced: at
the end every planned node must have been created exactly once with the
planned id, every other node must have been created at a line inside a
dynamic region (it is recorded as that region's ``expansion``), and anything
else is ``unplanned``.  So in this mode the module's workflow body does run;
static plans never do.

Resume works per call: a call's fingerprint covers its task code and its
argument values (:func:`.fingerprint.call_fingerprint`), and a call that
finished in an earlier run returns its recorded value without running.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import DependencyFailureError, ExecutableError
from .backends.base import ExecutionBackend, TaskSpec, report_service_lost
from .engine import WorkflowEngine, override_backend
from .fingerprint import call_fingerprint, encode_value, value_digest
from .journal import Journal


class _Tap:
    """The engine's sink, seen through the resuming backend."""

    def __init__(self, owner: _Resuming) -> None:
        self.owner = owner

    def running(self, uid: str) -> None:
        self.owner.journal.write("running", uid=uid)
        self.owner.sink.running(uid)

    def succeeded(self, uid: str, value: Any) -> None:
        self.owner.finished(uid, "done", value=value)
        self.owner.sink.succeeded(uid, value)

    def failed(self, uid: str, error: BaseException) -> None:
        self.owner.finished(uid, "failed", error=error)
        self.owner.sink.failed(uid, error)

    def cancelled(self, uid: str, reason: str) -> None:
        self.owner.finished(uid, "cancelled", error=reason)
        self.owner.sink.cancelled(uid, reason)

    def service_lost(self, uid: str, error: BaseException) -> None:
        report_service_lost(self.owner.sink, uid, error)


class _Resuming(ExecutionBackend):
    """Wraps the real backend: answers cached calls, journals the others."""

    def __init__(self, inner: ExecutionBackend, journal: Journal, cache: Mapping[str, Any],
                 code: Mapping[str, str], report: Any) -> None:
        super().__init__(inner.name)
        self.inner, self.journal, self.cache, self.code = inner, journal, cache, code
        self.supports_services = inner.supports_services  # type: ignore[misc]
        self.description_keys = inner.description_keys  # type: ignore[misc]
        self.report = report
        self.fps: dict[str, str] = {}
        self.commands: dict[str, str | None] = {}
        self.outcomes: dict[str, dict[str, Any]] = {}

    def bind(self, sink: Any) -> None:
        self.sink = sink
        self.inner.bind(_Tap(self))

    async def start(self) -> None:
        await self.inner.ensure_started()

    def check_description(self, spec: TaskSpec) -> None:
        self.inner.check_description(spec)

    def submit(self, spec: TaskSpec) -> None:
        fp = call_fingerprint(spec.name, self.code.get(spec.name, ""), spec.args, spec.kwargs,
                              {"description": dict(spec.description), "command": spec.command})
        self.fps[spec.uid] = fp
        self.commands[spec.uid] = spec.command
        if fp in self.cache:
            value = self.cache[fp]
            self.journal.write("cached", uid=spec.uid, fp=fp, digest=value_digest(value),
                               value=encode_value(value))
            self.outcomes[spec.uid] = {"event": "cached", "fp": fp, "digest": value_digest(value)}
            self.report.advance(spec.name, "cached")
            self.sink.succeeded(spec.uid, value)
            return
        self.journal.write("submitted", uid=spec.uid, fp=fp)
        self.inner.submit(spec)

    def finished(self, uid: str, event: str, value: Any = None, error: Any = None) -> None:
        fields: dict[str, Any] = {"fp": self.fps.get(uid), "command": self.commands.get(uid)}
        if event == "done":
            fields.update(digest=value_digest(value), exit_code=0 if fields["command"] else None)
            self.journal.write(event, uid=uid, value=encode_value(value), **fields)
        else:
            if isinstance(error, DependencyFailureError):
                event = "dep_failed"
            code = error.exit_code if isinstance(error, ExecutableError) else None
            fields.update(error=str(error)[:2000], exit_code=code)
            self.journal.write(event, uid=uid, **fields)
        self.outcomes[uid] = {"event": event, **fields}
        self.report.advance(uid, event)

    def cancel(self, uid: str, reason: str) -> None:
        self.inner.cancel(uid, reason)

    async def shutdown(self) -> None:
        await self.inner.shutdown()


class _Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.engines: list[WorkflowEngine] = []

    def attach(self, engine: WorkflowEngine) -> None:
        self.engines.append(engine)
        engine.subscribe(self.on_event)

    def on_event(self, event: Any) -> None:
        if event.kind == "created":
            self.events.append({"uid": event.uid, "name": event.name, "kind": event.task_kind,
                                "parent": event.parent, "deps": list(event.dependencies),
                                "callsite": list(event.callsite) if event.callsite else None,
                                "args": [], "kwargs": {}})
        elif event.kind in ("done", "failed", "cancelled") and event.task_kind == "block":
            self.events.append({"block_end": event.uid, "kind": event.kind})


def run_module(plan: Mapping[str, Any], plan_dir: str, backend: ExecutionBackend,
               journal: Journal, cache: Mapping[str, Any], code: Mapping[str, str],
               report: Any, options: Any) -> str:
    path = os.path.abspath(os.path.join(plan_dir, plan["source"]["copy"] or ""))
    resuming = _Resuming(backend, journal, cache, code, report)
    recorder = _Recorder()
    outcome = _run(path, resuming, recorder)
    _record_nodes(plan, path, recorder, resuming, journal)
    failed = any(o["event"] != "done" and o["event"] != "cached"
                 for o in resuming.outcomes.values())
    return outcome if outcome != "ok" or not failed else "failed"


def _run(path: str, resuming: _Resuming, recorder: _Recorder) -> str:
    original = WorkflowEngine.__init__

    def init(self: WorkflowEngine, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder.attach(self)

    WorkflowEngine.__init__ = init  # type: ignore[method-assign]
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv, sys.path = [path], [os.path.dirname(path), *sys.path]
    outcome = "ok"
    try:
        with override_backend(lambda: resuming):
            runpy.run_path(path, run_name="__main__")
    except KeyboardInterrupt:
        outcome = "interrupted"
    except SystemExit as exc:
        outcome = "ok" if exc.code in (None, 0) else "failed"
    except Exception as exc:
        print(f"raf: the module failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        outcome = "failed"
    finally:
        WorkflowEngine.__init__ = original  # type: ignore[method-assign]
        sys.argv, sys.path = saved_argv, saved_path
        for engine in recorder.engines:
            if not engine.is_shut_down:
                engine.shutdown(mode="cancel")
    return outcome


def _record_nodes(plan: Mapping[str, Any], path: str, recorder: _Recorder,
                  resuming: _Resuming, journal: Journal) -> None:
    """Name what ran with the plan's id scheme; journal it per node and per region."""
    from ..trace import build

    created = [e for e in recorder.events if "uid" in e]
    workflow = build(plan["source"]["path"], {"events": created})
    planned = {n["id"]: n for n in plan["nodes"]}
    regions = [n for n in plan["nodes"] if n["kind"] == "dynamic"]
    expansions: dict[str, list[str]] = {r["id"]: [] for r in regions}
    block_ends = {e["block_end"]: e["kind"] for e in recorder.events if "block_end" in e}
    for event, node in zip(created, workflow.nodes):
        outcome = resuming.outcomes.get(event["uid"])
        if outcome is None and event["kind"] == "block":
            kind = block_ends.get(event["uid"], "cancelled")
            outcome = {"event": "done" if kind == "done" else kind}
        if node.id not in planned:
            region = _region_of(node.span.line, regions)
            if region is None:
                journal.write("unplanned", node=node.id, detail="created by the module")
                continue
            expansions[region].append(node.id)
        elif outcome is not None:
            journal.write(outcome["event"], node=node.id, **{k: v for k, v in outcome.items()
                                                             if k != "event"})
    for region, ids in expansions.items():
        journal.write("expansion", node=region, nodes=ids)
        journal.write("done", node=region, detail=f"expanded into {len(ids)} node(s)")


def _region_of(line: int, regions: list[Mapping[str, Any]]) -> str | None:
    for region in regions:
        span = region["span"]
        if span["line"] <= line <= span["end_line"]:
            return str(region["id"])
    return None
