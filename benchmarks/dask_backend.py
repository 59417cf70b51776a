"""Throughput of DaskExecutionBackend against raw ``client.submit`` on one cluster.

Run: python benchmarks/dask_backend.py [--tasks 5000] [--executables 300] [--rounds 3]

One loopback ``LocalCluster`` (2 worker processes, 1 thread each) serves both
sides.  Each round runs the raw Dask fan-out (``client.submit`` then one
``client.gather``) and the same work through ``@flow.function_task`` /
``@flow.executable_task`` on ``DaskExecutionBackend(address=...)``; the two
alternate so that drift on a noisy machine hits both.  The ratios are our
throughput over raw throughput, of the best and of the median round of
each; the target is >= 0.7.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from distributed import Client, LocalCluster

from radical.asyncflow import DaskExecutionBackend, WorkflowEngine

#: Dask starts a scheduler HTTP server even without a dashboard: keep it on loopback
LOOPBACK_HTTP = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}


def noop(i: int) -> int:
    return i


def true_command() -> bytes:
    return subprocess.run(["/bin/true"], check=True, capture_output=True).stdout


def raw_fanout(client: Client, n: int) -> float:
    start = time.perf_counter()
    futures = [client.submit(noop, i, pure=False) for i in range(n)]
    client.gather(futures)
    return n / (time.perf_counter() - start)


def raw_executables(client: Client, n: int) -> float:
    start = time.perf_counter()
    futures = [client.submit(true_command, pure=False) for _ in range(n)]
    client.gather(futures)
    return n / (time.perf_counter() - start)


def ours(flow: WorkflowEngine, n: int, executable: bool) -> float:
    task = flow.executable_task(lambda: "/bin/true", name="true") if executable \
        else flow.function_task(noop)
    start = time.perf_counter()
    futures = [task() if executable else task(i) for i in range(n)]
    for future in futures:
        future.result()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--executables", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP) as cluster, \
            Client(cluster) as client:
        flow = WorkflowEngine(backend=DaskExecutionBackend(address=cluster.scheduler_address))
        raw_fanout(client, 200)
        ours(flow, 200, executable=False)  # warm both paths up
        rates: dict[str, list[float]] = {}
        for _ in range(opts.rounds):
            for label, run in (
                ("raw no-op", lambda: raw_fanout(client, opts.tasks)),
                ("ours no-op", lambda: ours(flow, opts.tasks, executable=False)),
                ("raw exec", lambda: raw_executables(client, opts.executables)),
                ("ours exec", lambda: ours(flow, opts.executables, executable=True)),
            ):
                cpu = time.process_time()
                rate = run()
                n = opts.tasks if "no-op" in label else opts.executables
                cpu_us = (time.process_time() - cpu) / n * 1e6
                rates.setdefault(label, []).append(rate)
                print(f"  {label:<11} {rate:8.0f} tasks/s  {cpu_us:6.0f} us CPU/task in this "
                      "process (client + scheduler)")
        flow.shutdown()
    for what, kind in ((f"{opts.tasks} no-op tasks fanned out", "no-op"),
                       (f"{opts.executables} /bin/true executables", "exec")):
        raw, api = rates[f"raw {kind}"], rates[f"ours {kind}"]
        print(f"{what}: best raw {max(raw):.0f}/s, ours {max(api):.0f}/s, ratio "
              f"{max(api) / max(raw):.2f}; median ratio "
              f"{statistics.median(api) / statistics.median(raw):.2f}")


if __name__ == "__main__":
    main()
