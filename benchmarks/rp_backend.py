"""Our overhead over raw Radical.Pilot: N ``/bin/true`` executables on one pilot.

Both sides run on the same pilot in the same process, alternating, so machine
noise hits both: raw RP (``tmgr.submit_tasks`` of N descriptions, then
``wait_tasks``) against the same N tasks called through ``WorkflowEngine`` and
waited on as futures.  Reports the median wall time of each and our extra
time in percent (target: <= 10 %).

Run: .venv/bin/python benchmarks/rp_backend.py [--tasks 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine


def raw_rp(backend: RadicalExecutionBackend, n: int, round_no: int) -> float:
    import radical.pilot as rp

    tmgr = backend._tmgr
    tds = [rp.TaskDescription({"uid": f"raw.{round_no}.{i:05d}", "executable": "/bin/true"})
           for i in range(n)]
    start = time.perf_counter()
    tasks = tmgr.submit_tasks(tds)
    tmgr.wait_tasks([t.uid for t in tasks], timeout=600)
    elapsed = time.perf_counter() - start
    assert all(t.state == rp.DONE for t in tasks), {t.state for t in tasks}
    return elapsed


def ours(flow: WorkflowEngine, n: int) -> float:
    @flow.executable_task
    def true():
        return "/bin/true"

    start = time.perf_counter()
    futures = [true() for _ in range(n)]
    for fut in futures:
        fut.result(600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    backend = RadicalExecutionBackend({"resource": "local.localhost"})
    flow = WorkflowEngine(backend=backend)
    print(f"pilot active after {time.perf_counter() - t0:.1f} s "
          f"({backend.capacity})", flush=True)
    raw_times, our_times = [], []
    try:
        ours(flow, 10)  # warm-up: first task of each kind
        raw_rp(backend, 10, -1)
        for r in range(args.rounds):
            raw_times.append(raw_rp(backend, args.tasks, r))
            our_times.append(ours(flow, args.tasks))
            print(f"round {r + 1}: raw RP {raw_times[-1]:.2f} s, "
                  f"radical.asyncflow {our_times[-1]:.2f} s", flush=True)
    finally:
        t1 = time.perf_counter()
        flow.shutdown()
        print(f"shutdown {time.perf_counter() - t1:.1f} s")
    raw, our = statistics.median(raw_times), statistics.median(our_times)
    print(f"{args.tasks} x /bin/true, median of {args.rounds}: raw RP {raw:.2f} s "
          f"({args.tasks / raw:.1f} tasks/s), radical.asyncflow {our:.2f} s "
          f"({args.tasks / our:.1f} tasks/s); extra wall time {100 * (our - raw) / raw:+.1f} %")


if __name__ == "__main__":
    main()
