"""Static compiler throughput: generated modules with 1k, 10k and 100k task calls.

Each size is compiled in a fresh subprocess (so peak RSS is that run's own);
prints seconds, nodes per second and peak RSS.  Targets: 10k task calls in at
most 5 s and 512 MiB, growth close to linear.

    python benchmarks/compile.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from radical.asyncflow.compiler import Limits, Options, compile_path
    path, n = sys.argv[1], int(sys.argv[2])
    limits = Limits(max_bytes=1 << 30, max_lines=10 * n + 100, max_nodes=n + 10)
    start = time.perf_counter()
    wf = compile_path(path, Options(limits=limits))
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"nodes": len(wf.nodes), "seconds": seconds, "rss_mib": rss,
                      "codes": sorted({d.code for d in wf.diagnostics})}))
""")


def generate(n: int) -> str:
    """A sync-style module: chains of 10 tasks, half function, half executable."""
    head = [
        "from radical.asyncflow import LocalExecutionBackend, WorkflowEngine",
        "flow = WorkflowEngine(backend=LocalExecutionBackend())",
        "@flow.function_task",
        "def simulate(i, *deps):",
        "    return i",
        "@flow.executable_task",
        "def analyse(i, *deps):",
        "    return f'analyse --member {i}'",
    ]
    body = []
    for i in range(n):
        task = "simulate" if i % 2 == 0 else "analyse"
        dep = f", t{i - 1}" if i % 10 else ""
        body.append(f"t{i} = {task}({i}{dep})")
    return "\n".join(head + body + ["flow.shutdown()"]) + "\n"


def measure(n: int, workdir: Path) -> dict:
    path = workdir / f"generated_{n}.py"
    path.write_text(generate(n))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), str(n)],
                          capture_output=True, text=True, timeout=3600, check=True)
    result = json.loads(proc.stdout)
    result["calls"] = n
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            rows.append(measure(n, Path(tmp)))
    print(f"{'task calls':>10} {'nodes':>8} {'seconds':>8} {'nodes/s':>10} {'peak MiB':>9}")
    for r in rows:
        print(f"{r['calls']:>10,} {r['nodes']:>8,} {r['seconds']:>8.2f} "
              f"{r['nodes'] / r['seconds']:>10,.0f} {r['rss_mib']:>9.0f}")
    ten_k = next((r for r in rows if r["calls"] == 10_000), None)
    if ten_k:
        ok = ten_k["seconds"] <= 5 and ten_k["rss_mib"] <= 512
        print(f"10k target (<= 5 s, <= 512 MiB): {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
