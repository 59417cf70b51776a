"""Seeded chaos soak on the local process backend (TESTPLAN R13).

A 200-task diamond runs while a killer SIGKILLs a random pool worker with
exponentially distributed delays (mean 0.5 s, seed logged).  The run must end
with the correct result, or fail only through WorkerLost for tasks over their
failure budget; it must never hang.  (The Dask twin lives in
tests/backends/test_dask.py.)
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import pytest

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import DependencyFailureError, WorkerLost

SEED = int(os.environ.get("RAF_CHAOS_SEED", "20261204"))


def _killer(
    backend: LocalExecutionBackend, stop: threading.Event, rng: random.Random, kills: list[int]
) -> None:
    while not stop.wait(rng.expovariate(1 / 0.5)):
        pool = backend._pool
        processes = list(getattr(pool.pool, "_processes", {}) or {}) if pool else []
        if processes:
            pid = rng.choice(sorted(processes))
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
            except ProcessLookupError:
                pass


@pytest.mark.slow
@pytest.mark.chaos
def test_diamond_survives_random_worker_kills():
    rng = random.Random(SEED)
    print(f"chaos seed {SEED}")
    backend = LocalExecutionBackend(processes=True, max_workers=2, allowed_failures=3)
    stop, kills = threading.Event(), []
    with WorkflowEngine(backend=backend) as flow:

        @flow.function_task
        def source():
            return 1

        @flow.function_task
        def middle(x, i):
            time.sleep(0.02)
            return x + i

        @flow.function_task
        def sink(*xs):
            return sum(xs)

        killer = threading.Thread(target=_killer, args=(backend, stop, rng, kills), daemon=True)
        killer.start()
        start = time.monotonic()
        try:
            root = source()
            result = sink(*[middle(root, i) for i in range(198)])
            err = result.exception(timeout=60)
        finally:
            stop.set()
            killer.join()
        assert time.monotonic() - start < 60
    if err is None:
        assert result.result() == 198 + sum(range(198))
    else:
        assert isinstance(err, DependencyFailureError) and isinstance(err.root_cause, WorkerLost)
        assert "allowed_failures=3" in str(err.root_cause)
    assert kills, "the killer never fired: the soak proved nothing"
