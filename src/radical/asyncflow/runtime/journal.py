"""The run journal: ``DIR/runs/<n>/journal.jsonl``, append-only, one fsync per record.

Each line is one JSON object with at least ``seq`` (1, 2, ... within the run),
``t`` (seconds since the run started) and ``event``.  Events: ``start`` (plan
digest, backend, options), per node ``created`` (by the runner),
``submitted`` / ``running`` / ``done`` / ``failed`` / ``cancelled`` /
``dep_failed`` / ``cached`` / ``skipped`` / ``unplanned`` / ``expansion``, and
``end`` (outcome).  ``done`` and ``cached`` carry the node's fingerprint, a
digest of its value and the value itself (base64 cloudpickle, when picklable),
which is what ``--resume`` reuses.

A record is written with a single ``write`` of the whole line followed by
``fsync``, so a crash leaves at most one torn line, always the last one; the
reader ignores it (and any other line that is not a JSON object).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

RUNS = "runs"
JOURNAL = "journal.jsonl"


class Journal:
    """Append records to one journal file; thread-safe."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._seq = 0
        self._t0 = time.monotonic()
        self._lock = threading.Lock()

    def write(self, event: str, **fields: Any) -> None:
        with self._lock:
            if self._fd < 0:
                return
            self._seq += 1
            t = round(time.monotonic() - self._t0, 4)
            record = {"seq": self._seq, "t": t, "event": event, **fields}
            line = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str) + "\n"
            os.write(self._fd, line.encode("utf-8"))
            os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def read(path: str) -> list[dict[str, Any]]:
    """The records of one journal; a torn or garbled line is ignored."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    records = []
    for raw in data.split(b"\n"):
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and "event" in record:
            records.append(record)
    return records


def run_dirs(plan_dir: str) -> list[str]:
    """Earlier run directories, oldest first."""
    base = os.path.join(plan_dir, RUNS)
    try:
        names = [n for n in os.listdir(base) if n.isdigit()]
    except OSError:
        return []
    return [os.path.join(base, n) for n in sorted(names, key=int)]


def new_run_dir(plan_dir: str) -> str:
    """Create ``runs/<n>`` with the next free number (safe against concurrent runs)."""
    base = os.path.join(plan_dir, RUNS)
    os.makedirs(base, exist_ok=True)
    existing = [int(os.path.basename(d)) for d in run_dirs(plan_dir)]
    n = max(existing, default=0) + 1
    while True:
        path = os.path.join(base, str(n))
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            n += 1


def history(plan_dir: str) -> Iterator[dict[str, Any]]:
    """Every record of every earlier run, oldest first."""
    for run in run_dirs(plan_dir):
        yield from read(os.path.join(run, JOURNAL))
