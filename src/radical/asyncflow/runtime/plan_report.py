"""What ``raf run`` shows: a rich progress bar on stderr (only on a terminal) and a summary.

The summary table (stdout) counts nodes by outcome, gives the wall time and
the **critical path actually taken**: starting from the node that finished
last, repeatedly step to the dependency that finished last.  Discrepancies
found by the conformance check are listed on stderr.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

OUTCOMES = ("done", "cached", "skipped", "failed", "dep_failed", "cancelled")


class Report:
    def __init__(self, plan: Mapping[str, Any], run_dir: str) -> None:
        self.plan = plan
        self.run_dir = run_dir
        self.planned = {n["id"] for n in plan["nodes"]}
        self.total = len(self.planned)
        self.err = Console(file=sys.stderr)
        self._lock = threading.Lock()
        self._progress = Progress(TextColumn("[bold]raf run"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.description}"), TimeElapsedColumn(),
                                  console=self.err, disable=not self.err.is_terminal,
                                  transient=True)
        self.running: dict[str, None] = {}  # insertion-ordered set of running node ids
        self._task = self._progress.add_task("", total=self.total)
        self._progress.start()

    def advance(self, nid: str, what: str) -> None:
        """Record one node's progress: ``running`` (named on the bar) or an outcome."""
        with self._lock:
            if what == "running":
                self.running[nid] = None
                self._progress.update(self._task, description=self.running_text())
                return
            self.running.pop(nid, None)
            if nid not in self.planned:  # a task a dynamic region created
                self.total += 1
                self._progress.update(self._task, total=self.total)
            self._progress.update(self._task, advance=1, description=self.running_text())

    def running_text(self, shown: int = 3) -> str:
        """``running: a, b, c (+2)``: the nodes running now, oldest first."""
        names = list(self.running)
        if not names:
            return ""
        more = f" (+{len(names) - shown})" if len(names) > shown else ""
        return f"running: {', '.join(names[:shown])}{more}"

    def stop(self) -> None:
        self._progress.stop()

    def summary(self, records: Sequence[Mapping[str, Any]], seconds: float,
                problems: list[str]) -> None:
        counts: Counter[str] = Counter()
        last: dict[str, Mapping[str, Any]] = {}
        for rec in records:
            if rec.get("node") and rec["event"] in OUTCOMES:
                last[rec["node"]] = rec
        counts.update(rec["event"] for rec in last.values())
        table = Table(title=f"raf run: {self.plan['source']['path']} ({self.run_dir})")
        for name in (*OUTCOMES, "time", "critical path"):
            table.add_column(name)
        path = taken_path(self.plan, last)
        table.add_row(*(str(counts[o]) for o in OUTCOMES), f"{seconds:.2f} s",
                      " -> ".join(path) or "-")
        out = Console(file=sys.stdout, width=200)
        out.print(table)
        for rec in records:
            if rec["event"] == "expansion":
                count = len(rec.get("nodes", ()))
                out.print(f"dynamic region {rec['node']} ran {count} task{'s' * (count != 1)}",
                          markup=False, highlight=False)
        if problems:
            print_problems(["the run does not conform to the plan:", *problems])


def taken_path(plan: Mapping[str, Any], last: Mapping[str, Mapping[str, Any]]) -> list[str]:
    after = {n["id"]: n["after"] for n in plan["nodes"]}
    finished = {nid: rec.get("t", 0.0) for nid, rec in last.items()
                if rec["event"] in ("done", "cached") and nid in after}
    if not finished:
        return []
    node: str | None = max(finished, key=lambda n: (finished[n], n))
    path = []
    while node is not None:
        path.append(node)
        deps = [d for d in after[node] if d in finished]
        node = max(deps, key=lambda d: (finished[d], d)) if deps else None
    return path[::-1]


def print_problems(lines: Iterable[str]) -> None:
    lines = list(lines)
    if not lines:
        return
    print(f"raf: {lines[0]}", file=sys.stderr)
    for line in lines[1:]:
        print(f"  - {line}", file=sys.stderr)
