"""`--on-failure` policies, and a plan on Dask."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLES, compile_in, journal, raf

FAILING = '''\
import time

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend({"max_workers": 4}))


@flow.function_task
def boom():
    time.sleep(0.4)  # slow() is running by now
    raise ValueError("boom")


@flow.function_task
def slow(i):
    time.sleep(1.5)
    return i


@flow.function_task
def after_boom(x):
    return x


@flow.function_task
def after_slow(x):
    return x


@flow.executable_task
def later(x):
    return f"echo {x}"


after_boom(boom())
later(after_slow(slow(1)))
'''


def _events(plan_dir) -> dict[str, str]:
    return {r["node"].split("@")[0]: r["event"] for r in journal(plan_dir)
            if r.get("node") and r["event"] not in ("created", "submitted", "running")}


@pytest.mark.parametrize(("policy", "expected"), [
    ("continue", {"boom": "failed", "after_boom": "dep_failed", "slow": "done", "later": "done"}),
    ("terminate", {"boom": "failed", "slow": "cancelled", "later": "cancelled"}),
])
def test_on_failure_policies(tmp_path, policy, expected) -> None:
    (tmp_path / "wf.py").write_text(FAILING)
    assert raf("compile", "wf.py", "-o", "plan", cwd=tmp_path).returncode == 0
    proc = raf("run", "plan", "--on-failure", policy, cwd=tmp_path)
    assert proc.returncode == 1
    assert "boom@" in proc.stderr and "ValueError: boom" in proc.stderr
    assert "Traceback" not in proc.stderr
    events = _events(tmp_path / "plan")
    for name, event in expected.items():
        assert events[name] == event, (name, events)


def test_finish_policy_starts_nothing_new(tmp_path) -> None:
    (tmp_path / "wf.py").write_text(FAILING)
    assert raf("compile", "wf.py", "-o", "plan", cwd=tmp_path).returncode == 0
    proc = raf("run", "plan", "--on-failure", "finish", cwd=tmp_path)
    assert proc.returncode == 1
    events = _events(tmp_path / "plan")
    assert events["slow"] == "done"  # it was running: finished, not killed
    assert events["later"] == "cancelled"  # it had not started: never started


@pytest.mark.dask
@pytest.mark.slow
def test_plan_runs_on_dask(tmp_path) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLES / "17_fan_out_fan_in.py", "dask")
    proc = raf("run", "plan", "--workers", "2", cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sum(r["event"] == "done" for r in journal(plan_dir)) == 17


FLAKY = '''\
import os

from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task(retries=2)
def flaky():
    with open("attempts", "a") as handle:
        handle.write("x")
    if os.path.getsize("attempts") < 2:
        raise RuntimeError("first attempt fails")
    return "ok"


@flow.function_task
def use(value):
    return value.upper()


use(flaky())
'''


def test_retries_are_one_run_of_the_node(tmp_path) -> None:
    (tmp_path / "wf.py").write_text(FLAKY)
    assert raf("compile", "wf.py", "-o", "plan", cwd=tmp_path).returncode == 0
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "attempts").read_text() == "xx"
