"""Large inputs for the compiler (TESTPLAN S15), each in a fresh subprocess."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import resource
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("compile_bench", ROOT / "benchmarks" / "compile.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _limit_memory(gib: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (gib << 30, gib << 30))

    return apply


@pytest.mark.slow
def test_ten_thousand_task_module_compiles_in_time_and_memory(tmp_path):
    path = tmp_path / "big.py"
    path.write_text(bench.generate(10_000))
    proc = subprocess.run(
        [sys.executable, "-c", bench.CHILD, str(path), "10000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        preexec_fn=_limit_memory(4),
    )
    figures = json.loads(proc.stdout)
    assert figures["nodes"] == 10_000
    assert figures["seconds"] < 15, figures
    assert figures["rss_mib"] < 1024, figures


HUNDRED_K_PLAN = """
import json, resource, time
from radical.asyncflow.codegen import plan_files
from radical.asyncflow.ir import Node, Span, Workflow, graph

MODULE = '''from radical.asyncflow import LocalExecutionBackend, WorkflowEngine
flow = WorkflowEngine(backend=LocalExecutionBackend())
@flow.function_task
def simulate(i, *deps):
    return i
@flow.executable_task
def analyse(i, *deps):
    return f"analyse --member {i}"
'''
start = time.perf_counter()
nodes = []
for i in range(100_000):  # chains of ten, every tenth node fans in the previous chain
    after = (f"t{i - 1}",) if i % 10 else tuple(f"t{j}" for j in range(max(0, i - 10), i))
    kind, name = ("function", "simulate") if i % 2 == 0 else ("executable", "analyse")
    nodes.append(Node(f"t{i}", kind, name, Span("big.py", 10 + i, 1, 10 + i, 20), after=after,
                      args=(i,), command=f"analyse --member {i}" if kind == "executable" else None))
wf = Workflow("big.py", "0" * 64, "static", tuple(nodes))
order = graph.topological_order(wf)
path = graph.critical_path(wf)
files = plan_files(wf, MODULE, "local", from_plan="big.py")
assert not files.diagnostics, files.diagnostics
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"nodes": len(order), "critical": len(path), "seconds": seconds,
                  "rss_mib": rss, "plan_bytes": len(files.files["plan.json"])}))
"""


@pytest.mark.slow
def test_hundred_thousand_node_plan_validates_and_renders(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", HUNDRED_K_PLAN],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_memory(4),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["nodes"] == 100_000 and figures["critical"] > 10
    assert figures["seconds"] < 30, figures
    assert figures["rss_mib"] < 2048, figures
