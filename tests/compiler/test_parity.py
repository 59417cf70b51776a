"""Parity: the static graph equals the graph a recorded dry run builds.

Examples are traced through the CLI (a subprocess each).  Hypothesis-generated
workflows (random DAGs with blocks, loops, containers; sync and async) are
traced in one subprocess per batch to stay fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from radical.asyncflow.compiler import compile_path
from radical.asyncflow.ir import Workflow
from radical.asyncflow.trace import build, trace_path

from .conftest import EXAMPLES, ROOT
from .workflow_gen import WorkflowSpec, render, workflows

settings.register_profile("ci", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("long" if os.environ.get("RAF_FUZZ") else "ci")


def shape(wf: Workflow) -> dict:
    return {n.id: (n.kind, n.name, n.after, n.parent) for n in wf.nodes}


STATIC_EXAMPLES = [p for p in sorted(EXAMPLES.glob("1*.py")) if "adaptive" not in p.name]


@pytest.mark.parametrize("path", STATIC_EXAMPLES, ids=[p.stem for p in STATIC_EXAMPLES])
def test_example_static_equals_trace(path: Path, in_root) -> None:
    rel = str(path.relative_to(ROOT))
    static, traced = compile_path(rel), trace_path(rel, announce=False)
    assert not traced.diagnostics
    assert shape(static) == shape(traced)


class Batch:
    """Collects generated modules, traces them all in one subprocess."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.cases: list[tuple[Path, WorkflowSpec]] = []

    def add(self, spec: WorkflowSpec) -> Path:
        path = self.tmp / f"wf_{len(self.cases):04d}.py"
        path.write_text(render(spec))
        self.cases.append((path, spec))
        return path


TRACE_MANY = """
import json, subprocess, sys
out = {}
for path in sys.argv[1:]:
    proc = subprocess.run([sys.executable, "-m", "radical.asyncflow.trace", path],
                          capture_output=True, timeout=60)
    out[path] = json.loads(proc.stdout or b"{}")
print(json.dumps(out))
"""


@pytest.mark.fuzz
def test_generated_workflows_static_equals_generator_and_trace(tmp_path: Path) -> None:
    batch = Batch(tmp_path)
    examples: list[WorkflowSpec] = []

    @settings(database=None)
    @given(workflows())
    def collect(spec: WorkflowSpec) -> None:
        path = batch.add(spec)
        static = compile_path(str(path))
        assert not [d for d in static.diagnostics if d.severity != "info"], static.diagnostics
        assert {(a, b) for a, b in static.edges()} == spec.expected_edges(static)
        assert compile_path(str(path)) == static
        examples.append(spec)

    collect()
    sample = batch.cases[:: max(1, len(batch.cases) // 25)]
    proc = subprocess.run([sys.executable, "-c", TRACE_MANY, *(str(p) for p, _ in sample)],
                          capture_output=True, timeout=110, check=True)
    traced = json.loads(proc.stdout)
    for path, _ in sample:
        rel = str(path)
        trace = build(rel, traced[rel])
        assert not trace.diagnostics, (rel, trace.diagnostics, path.read_text())
        assert shape(compile_path(rel)) == shape(trace), path.read_text()


FUZZ_FILE = Path(os.environ.get("RAF_FUZZ_DIR", "/tmp")) / f"raf_fuzz_{os.getpid()}.py"


@pytest.mark.fuzz
@settings(max_examples=200 if not os.environ.get("RAF_FUZZ") else 5000, deadline=None,
          database=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_check_never_raises_on_arbitrary_python(source: str) -> None:
    FUZZ_FILE.write_text(source, encoding="utf-8")
    wf = compile_path(str(FUZZ_FILE))
    assert all(d.code != "RAF900" for d in wf.diagnostics), [d.message for d in wf.diagnostics]
