"""Runtime throughput and memory, as ratios to raw baselines measured in the same run.

    python benchmarks/runtime.py [--quick] [--json FILE]

Cases (all through the public async API on LocalExecutionBackend):

* fan-out: 10,000 no-op function tasks, vs raw ``ThreadPoolExecutor.submit``;
* chain: 2,000 tasks each depending on the previous, vs a raw chain of
  ``submit(...).result()`` round trips through a ``ThreadPoolExecutor``;
* executables: 300 ``/bin/true`` tasks, vs raw asyncio subprocesses with the
  same concurrency limit;
* scale: per-task cost and peak RSS at 1,000 and 100,000 no-op tasks, each in a
  fresh subprocess (best of three).

Targets: >= 0.5 of raw on fan-out and chain, >= 0.9 on executables, per-task
cost at 100k within 1.25x of 1k, 100k tasks under 1 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, wait

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine


def noop(*_args):
    return None


def raw_fanout(n: int) -> float:
    with ThreadPoolExecutor() as pool:
        start = time.perf_counter()
        wait([pool.submit(noop) for _ in range(n)])
        return time.perf_counter() - start


def raw_chain(n: int) -> float:
    with ThreadPoolExecutor() as pool:
        start = time.perf_counter()
        value = None
        for _ in range(n):
            value = pool.submit(noop, value).result()
        return time.perf_counter() - start


async def raw_exec(n: int, limit: int) -> float:
    sem = asyncio.Semaphore(limit)

    async def one():
        async with sem:
            proc = await asyncio.create_subprocess_exec(
                "/bin/true",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
            await proc.communicate()

    start = time.perf_counter()
    await asyncio.gather(*[one() for _ in range(n)])
    return time.perf_counter() - start


async def ours(case: str, n: int) -> float:
    backend = LocalExecutionBackend()
    async with WorkflowEngine(backend=backend) as flow:
        task = flow.function_task(noop)
        true = flow.executable_task(lambda: "/bin/true")
        await task()
        start = time.perf_counter()
        if case == "fanout":
            await asyncio.gather(*[task() for _ in range(n)])
        elif case == "chain":
            fut = task()
            for _ in range(n - 1):
                fut = task(fut)
            await fut
        else:
            await asyncio.gather(*[true() for _ in range(n)])
        return time.perf_counter() - start


def best(fn, repeat: int) -> float:
    return min(fn() for _ in range(repeat))


def scale_child(n: int) -> None:
    """Run n no-op tasks; print seconds and peak RSS (MiB) as JSON."""
    seconds = asyncio.run(ours("fanout", n))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "seconds": seconds, "rss_mib": peak}))


def scale(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--scale-child", str(n)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return 0
    k = 10 if args.quick else 1
    repeat = 1 if args.quick else 3
    limit = max(8, 4 * (os.cpu_count() or 1))
    n_fan, n_chain, n_exec = 10_000 // k, 2_000 // k, 300 // (3 if args.quick else 1)
    rows = []
    for label, n, raw, mine, target in [
        (
            "fan-out no-op",
            n_fan,
            lambda: raw_fanout(n_fan),
            lambda: asyncio.run(ours("fanout", n_fan)),
            0.5,
        ),
        (
            "chain no-op",
            n_chain,
            lambda: raw_chain(n_chain),
            lambda: asyncio.run(ours("chain", n_chain)),
            0.5,
        ),
        (
            "/bin/true",
            n_exec,
            lambda: asyncio.run(raw_exec(n_exec, limit)),
            lambda: asyncio.run(ours("exec", n_exec)),
            0.9,
        ),
    ]:
        raw_s = statistics.median([raw() for _ in range(repeat)])
        our_s = statistics.median([mine() for _ in range(repeat)])
        rows.append(
            {
                "case": label,
                "n": n,
                "raw_per_s": n / raw_s,
                "ours_per_s": n / our_s,
                "ratio": raw_s / our_s,
                "target": target,
            }
        )
    big_n = 10_000 if args.quick else 100_000
    small = min((scale(1_000) for _ in range(repeat)), key=lambda r: r["seconds"])
    big = min((scale(big_n) for _ in range(repeat)), key=lambda r: r["seconds"])
    per_small, per_big = small["seconds"] / small["n"], big["seconds"] / big["n"]
    growth = per_big / per_small
    print(f"{'case':<16}{'n':>8}{'raw/s':>12}{'ours/s':>12}{'ratio':>8}{'target':>8}")
    for r in rows:
        ok = "ok" if r["ratio"] >= r["target"] else "LOW"
        print(
            f"{r['case']:<16}{r['n']:>8}{r['raw_per_s']:>12.0f}{r['ours_per_s']:>12.0f}"
            f"{r['ratio']:>8.2f}{r['target']:>8.2f}  {ok}"
        )
    print(
        f"per-task cost: {per_small * 1e6:.1f} us at {small['n']}, {per_big * 1e6:.1f} us at "
        f"{big['n']} (x{growth:.2f}, target <= 1.25); peak RSS at {big['n']}: "
        f"{big['rss_mib']:.0f} MiB (target < 1024)"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "scale": [small, big], "growth": growth}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
