"""One run as the report sees it: the plan's nodes with their final states and times.

A run directory is ``PLAN_DIR/runs/<n>/`` holding ``journal.jsonl`` (see
:mod:`radical.asyncflow.runtime.journal`); the plan is ``PLAN_DIR/plan.json``.
Times are the journal's ``t`` (seconds since the run started).  Per node:

* ``queued``: its first ``created`` / ``submitted`` record,
* ``started``: its first ``running`` record (else ``queued``),
* ``finished``: its last outcome record (``done``, ``failed``, ...).

Nodes that never ran (``dep_failed``, ``cancelled`` before starting, ``skipped``)
have no ``started`` and no bar on the timeline.

A node without an outcome record is ``running`` when it started and the run
did not end, else ``not run``.  Nodes the journal names but the plan does not
(dynamic-region expansions) are added as ``unplanned``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

from ..runtime.journal import JOURNAL, read, run_dirs
from ..runtime.plan_report import OUTCOMES
from .load import PLAN_FILE, SubjectError, node_from_json

STATES = (*OUTCOMES, "running", "not run")
_QUEUED = ("created", "submitted")
_RAN = ("done", "failed", "cached")  # outcomes of nodes that ran (or were taken from cache)


@dataclasses.dataclass(slots=True)
class NodeRun:
    id: str
    kind: str
    name: str
    after: tuple[str, ...]
    parent: str | None
    state: str = "not run"
    planned: bool = True
    queued: float | None = None
    started: float | None = None
    finished: float | None = None
    error: str = ""

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return max(0.0, self.finished - self.started)


@dataclasses.dataclass(frozen=True, slots=True)
class RunView:
    run_dir: str
    source: str
    backend: str
    outcome: str  # the journal's end outcome, or "unfinished"
    seconds: float
    nodes: tuple[NodeRun, ...]
    critical: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for node in self.nodes:
            out[node.state] = out.get(node.state, 0) + 1
        return out


def locate(path: str) -> tuple[str, str]:
    """(run dir, plan dir) for ``PLAN_DIR/runs/<n>`` or a plan dir (its latest run)."""
    path = os.path.normpath(path)
    if os.path.isfile(os.path.join(path, JOURNAL)):
        plan_dir = os.path.dirname(os.path.dirname(os.path.abspath(path)))
        return path, plan_dir
    if os.path.isfile(os.path.join(path, PLAN_FILE)):
        runs = run_dirs(path)
        if not runs:
            raise SubjectError(f"{path}: a plan directory without runs (start one with raf run)")
        return runs[-1], path
    raise SubjectError(f"{path}: not a run directory (no {JOURNAL}) nor a plan directory")


def load_run(path: str) -> RunView:
    run_dir, plan_dir = locate(path)
    try:
        with open(os.path.join(plan_dir, PLAN_FILE), encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError) as exc:
        raise SubjectError(f"{plan_dir}: cannot read {PLAN_FILE} ({exc})") from None
    return build(run_dir, plan, read(os.path.join(run_dir, JOURNAL)))


def build(run_dir: str, plan: Mapping[str, Any], records: list[dict[str, Any]]) -> RunView:
    """The view of one run from its plan and journal records (pure)."""
    nodes: dict[str, NodeRun] = {}
    for data in plan["nodes"]:
        node = node_from_json(data)
        nodes[node.id] = NodeRun(node.id, node.kind, node.name, node.after, node.parent)
    start = next((r for r in records if r["event"] == "start"), {})
    end = next((r for r in reversed(records) if r["event"] == "end"), None)
    last_t = 0.0
    for record in records:
        last_t = max(last_t, _time(record) or 0.0)
        nid = record.get("node")
        if isinstance(nid, str):
            _apply(nodes, nid, record)
    for run in nodes.values():
        if end is None and run.state == "not run" and run.started is not None:
            run.state = "running"
    estimate = (plan.get("estimates") or {}).get("critical_path") or {}
    return RunView(
        run_dir=run_dir, source=str((plan.get("source") or {}).get("path", "")),
        backend=str(start.get("backend", plan.get("backend", ""))),
        outcome=str(end.get("outcome", "unknown")) if end else "unfinished",
        seconds=float(end.get("seconds", last_t)) if end else last_t,
        nodes=tuple(nodes.values()), critical=tuple(estimate.get("nodes", ())),
    )


def _time(record: Mapping[str, Any]) -> float | None:
    value = record.get("t")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _apply(nodes: dict[str, NodeRun], nid: str, record: Mapping[str, Any]) -> None:
    node = nodes.get(nid)
    if node is None:
        node = nodes[nid] = NodeRun(nid, "function", nid.rsplit("/", 1)[-1].split("@")[0],
                                    (), None, planned=False)
    event, t = record["event"], _time(record)
    if event in _QUEUED and node.queued is None:
        node.queued = t
    elif event == "running" and node.started is None:
        node.started = t
    elif event in OUTCOMES:
        node.state, node.finished = event, t
        node.error = str(record.get("error") or "")
        if node.started is None and event in _RAN:
            node.started = node.queued if node.queued is not None and event != "cached" else t
