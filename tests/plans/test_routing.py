"""Plans keep each node's backend name, and ``raf run`` starts a backend per name."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from radical.asyncflow import LocalExecutionBackend, NoopExecutionBackend
from radical.asyncflow.runtime.plan_runner import routed_backends

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_one_local_backend_per_routed_name():
    plan = {"nodes": [{"backend": "heavy"}, {"backend": None}, {"backend": "light"},
                      {"backend": "heavy"}]}
    default = LocalExecutionBackend()
    names = [b.name for b in routed_backends(plan, default)]
    assert names == ["default", "heavy", "light"]
    assert all(isinstance(b, LocalExecutionBackend) for b in routed_backends(plan, default))
    other = NoopExecutionBackend()
    assert routed_backends(plan, other) == [other]  # one cluster or pilot serves every name


def test_mixed_backend_example_plan_runs_routed_and_conforms(tmp_path):
    plan_dir = tmp_path / "plan"
    raf = [sys.executable, "-m", "radical.asyncflow.cli"]
    subprocess.run([*raf, "compile", "examples/21_mixed_backends.py", "-o", str(plan_dir)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    plan = json.loads((plan_dir / "plan.json").read_text())
    assert {n.get("backend") for n in plan["nodes"]} == {None, "heavy", "light"}
    run = subprocess.run([*raf, "run", str(plan_dir)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    journal = [json.loads(line) for line in
               (plan_dir / "runs" / "1" / "journal.jsonl").read_text().splitlines()]
    ran_on = {r["node"]: r.get("backend") for r in journal if r["event"] == "submitted"}
    expected = {n["id"]: n.get("backend") for n in plan["nodes"]}
    assert ran_on == expected
