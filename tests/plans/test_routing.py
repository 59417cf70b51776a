"""Plans keep each node's backend name and how the module builds each backend;
``raf run`` starts a backend of that kind per name."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from radical.asyncflow import LocalExecutionBackend, NoopExecutionBackend
from radical.asyncflow.runtime.fingerprint import decode_value
from radical.asyncflow.runtime.plan_runner import PlanError, routed_backends

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


def test_a_declared_name_gets_the_kind_and_arguments_the_module_gave_it():
    plan = {"nodes": [{"backend": "dry"}, {"backend": "pool"}],
            "backends": {"dry": {"kind": "noop", "config": {"args": [], "kwargs": {}}},
                         "pool": {"kind": "local", "config": {"args": [],
                                                              "kwargs": {"max_workers": 3}}}}}
    default = LocalExecutionBackend()
    _, dry, pool = routed_backends(plan, default)
    assert isinstance(dry, NoopExecutionBackend) and dry.name == "dry"
    assert isinstance(pool, LocalExecutionBackend) and pool.name == "pool"
    plan["backends"]["dry"] = {"kind": "local", "config": {"args": [], "kwargs": {"bogus": 1}}}
    with pytest.raises(PlanError, match="cannot start backend 'dry' \\(local\\) as the module"):
        routed_backends(plan, default)


@pytest.mark.dask
def test_mixed_backend_example_plan_runs_routed_and_conforms(tmp_path):
    plan_dir = tmp_path / "plan"
    raf = [sys.executable, "-m", "radical.asyncflow.cli"]
    subprocess.run([*raf, "compile", "examples/21_mixed_backends.py", "-o", str(plan_dir)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    plan = json.loads((plan_dir / "plan.json").read_text())
    assert {n.get("backend") for n in plan["nodes"]} == {None, "heavy", "light"}
    assert plan["backends"] == {
        "heavy": {"kind": "dask", "config": {"args": [{"n_workers": 2, "threads_per_worker": 1}],
                                             "kwargs": {}}},
        "light": {"kind": "local", "config": {"args": [], "kwargs": {"max_workers": 4}}}}
    run = subprocess.run([*raf, "run", str(plan_dir)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    journal = [json.loads(line) for line in
               (plan_dir / "runs" / "1" / "journal.jsonl").read_text().splitlines()]
    ran_on = {r["node"]: r.get("backend") for r in journal if r["event"] == "submitted"}
    expected = {n["id"]: n.get("backend") for n in plan["nodes"]}
    assert ran_on == expected
    pids = {r["node"]: decode_value(r["value"])[0] for r in journal
            if r["event"] == "done" and r["node"].startswith("crunch@")}
    assert pids["crunch@41"] not in (pids["crunch@39"], pids["crunch@40"])  # Dask workers
