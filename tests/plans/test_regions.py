"""Dynamic regions run from the plan: only the region's statement runs, never the body.

A plan whose dynamic regions can be lifted out (``"mode": "regions"``) carries
each region's code and inputs; ``raf run`` executes that statement alone and
records what it created.  What cannot be lifted falls back to running the
module (``"mode": "module"``) and the plan says why.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from radical.asyncflow.runtime.fingerprint import decode_value
from radical.asyncflow.runtime.journal import read, run_dirs

from .conftest import EXAMPLES, ROOT, compile_in, journal, raf


def _compile(tmp_path, text, name="wf.py"):
    (tmp_path / name).write_text(text)
    proc = raf("compile", name, "--backend", "local", "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp_path / "plan", json.loads((tmp_path / "plan" / "plan.json").read_text())


def _region_value(records, nid):
    rec = next(r for r in records if r.get("node") == nid and r["event"] in ("done", "cached"))
    return decode_value(rec["value"])


def test_example_16_runs_only_its_loop_from_the_plan(tmp_path) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLES / "16_adaptive_loop.py")
    plan = json.loads((plan_dir / "plan.json").read_text())
    assert plan["mode"] == "regions"
    assert not (plan_dir / "source.py").exists()  # the module is not needed to run it
    (region,) = [n for n in plan["nodes"] if n["kind"] == "dynamic"]
    assert region["region"]["code"].startswith("while error > TOLERANCE:")
    assert region["kwargs"] == {"TOLERANCE": 0.05, "error": {"$result": "estimate_error@33"},
                                "rounds": 0}

    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "converged after" not in proc.stdout  # the workflow body's print never ran
    assert "dynamic region while-loop@35 ran 3 tasks" in proc.stdout
    records = journal(plan_dir)
    expansion = next(r for r in records if r["event"] == "expansion")
    assert expansion["nodes"] == [f"while-loop@35/refine#{k}" for k in (1, 2, 3)]
    assert _region_value(records, "while-loop@35") == {"error": 0.03125, "rounds": 3}

    proc = raf("run", "plan", "--resume", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not any(r["event"] == "submitted" for r in journal(plan_dir))  # all cached


HEADER = '''\
import math

from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()
SCALE = 3


def scaled(x):
    return math.floor(x * SCALE)


@flow.function_task
def listing(n):
    return list(range(n))


@flow.function_task
def process(item):
    return scaled(item)


@flow.function_task
def check(values):
    return sum(values)


@flow.function_task
def big(total):
    return f"big {total}"


@flow.function_task
def small(total):
    return f"small {total}"


results = []
for item in listing(4).result():
    results.append(process(item).result())
if check(results).result() > 10:
    verdict = big(results).result()
else:
    verdict = small(results).result()
flow.shutdown()
'''


def test_header_tasks_are_called_by_their_region_not_twice(tmp_path) -> None:
    plan_dir, plan = _compile(tmp_path, HEADER)
    assert plan["mode"] == "regions"
    regions = {n["name"]: n for n in plan["nodes"] if n["kind"] == "dynamic"}
    assert set(regions) == {"for-loop", "if"}
    assert regions["for-loop"]["region"]["absorbs"] == ["listing@39"]
    assert regions["for-loop"]["region"]["globals"] == []
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = journal(plan_dir)
    skipped = [r for r in records if r["event"] == "skipped"]
    assert [r["node"] for r in skipped] == ["listing@39", "check@41"]
    assert "the region for-loop@39 calls it at run time" in skipped[0]["reason"]
    ran = [r["node"] for r in records if r["event"] == "done"]
    assert ran.count("for-loop@39/listing#1") == 1 and ran.count("if@41/check#1") == 1
    assert [n for n in ran if "/process#" in n] == [f"for-loop@39/process#{k}"
                                                      for k in range(1, 5)]
    assert _region_value(records, "for-loop@39") == {"item": 3, "results": [0, 3, 6, 9]}
    assert _region_value(records, "if@41") == {"verdict": "big [0, 3, 6, 9]"}


def test_a_task_after_a_region_gets_the_variable_the_region_left(tmp_path) -> None:
    text = HEADER.replace("flow.shutdown()", "final = check(results)\nflow.shutdown()")
    plan_dir, plan = _compile(tmp_path, text)
    assert plan["mode"] == "regions", plan.get("module_reasons")
    final = next(n for n in plan["nodes"] if n["id"] == "check@45")
    assert final["args"] == [{"$output": ["for-loop@39", "results"]}]
    assert "for-loop@39" in final["after"]
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _region_value(journal(plan_dir), "check@45") == 18


def test_a_region_helper_and_its_imports_are_extracted(tmp_path) -> None:
    plan_dir, plan = _compile(tmp_path, HEADER.replace("return scaled(item)", "return item"
                                                       ).replace("results.append(process(item)"
                                                                 ".result())",
                                                                 "results.append(scaled(item))"))
    (region,) = [n for n in plan["nodes"] if n["name"] == "for-loop"]
    assert region["region"]["globals"] == ["scaled"]
    tasks_py = (plan_dir / "tasks.py").read_text()
    assert "def scaled(x):" in tasks_py and "import math" in tasks_py
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _region_value(journal(plan_dir), "for-loop@39")["results"] == [0, 3, 6, 9]


ASYNC = '''\
import asyncio

from radical.asyncflow import WorkflowEngine


async def main():
    flow = await WorkflowEngine.create()

    @flow.function_task
    async def step(x):
        return x + 3

    x = await step(0)
    while x < 10:
        x = await step(x)
    await flow.shutdown()


asyncio.run(main())
'''


def test_an_async_region_awaits_its_tasks(tmp_path) -> None:
    plan_dir, plan = _compile(tmp_path, ASYNC)
    assert plan["mode"] == "regions", plan.get("module_reasons")
    (region,) = [n for n in plan["nodes"] if n["kind"] == "dynamic"]
    assert region["region"]["is_async"] is True
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = journal(plan_dir)
    assert _region_value(records, "while-loop@14") == {"x": 12}
    expansion = next(r for r in records if r["event"] == "expansion")
    assert len(expansion["nodes"]) == 3


FALLBACK = '''\
from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task
def grow(x):
    return x * 2


limit = len(str(grow(7).result())) * 10
value = 1
while value < limit:
    value = grow(value).result()
print("reached", value)
flow.shutdown()
'''


def test_a_region_that_cannot_run_alone_falls_back_to_the_module_and_resumes(tmp_path) -> None:
    plan_dir, plan = _compile(tmp_path, FALLBACK)
    assert plan["mode"] == "module"
    assert plan["module_reasons"] == [
        "while-loop@13 (line 13): it reads 'limit', which only the workflow body computes"]
    assert (plan_dir / "source.py").exists()
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reached 32" in proc.stdout  # module mode runs the body
    records = journal(plan_dir)
    assert records[0]["mode"] == "module"
    expansion = next(r for r in records if r["event"] == "expansion")
    assert expansion["node"] == "while-loop@13"
    assert len(expansion["nodes"]) == 5 and all(n.startswith("grow@14")
                                                for n in expansion["nodes"])
    proc = raf("run", "plan", "--resume", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not any(r["event"] == "submitted" for r in journal(plan_dir))  # all cached


FAILING = '''\
from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task
def start():
    return 0


@flow.function_task
def step(x):
    if x >= 2:
        raise ValueError(f"step refuses {x}")
    return x + 1


x = start().result()
while x < 5:
    x = step(x).result()
flow.shutdown()
'''


def test_a_failing_task_inside_a_region_fails_the_run_with_its_line(tmp_path) -> None:
    plan_dir, _ = _compile(tmp_path, FAILING)
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "step refuses 2" in proc.stdout + proc.stderr
    records = journal(plan_dir)
    failed = {r["node"] for r in records if r["event"] == "failed"}
    assert failed == {"while-loop@19/step#3", "while-loop@19"}
    expansion = next(r for r in records if r["event"] == "expansion")
    assert expansion["nodes"] == [f"while-loop@19/step#{k}" for k in (1, 2, 3)]


def test_a_tampered_region_is_refused(tmp_path) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLES / "16_adaptive_loop.py")
    path = plan_dir / "plan.json"
    plan = json.loads(path.read_text())
    for node in plan["nodes"]:
        if node["kind"] == "dynamic":
            node["region"]["code"] = node["region"]["code"].replace("refine", "print")
    path.write_text(json.dumps(plan))
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 1
    assert "while-loop@35: its region's code differs from the module" in proc.stderr


def test_an_unrecorded_node_is_unplanned() -> None:
    from radical.asyncflow.runtime.conformance import check_run

    plan = {"nodes": [{"id": "a@1", "kind": "function", "name": "a", "after": []}]}
    records = [{"seq": 1, "event": "created", "node": "a@1"},
               {"seq": 2, "event": "done", "node": "a@1"},
               {"seq": 3, "event": "done", "node": "b@2/x#1"}]
    assert check_run(plan, records) == [
        "unplanned task ran: b@2/x#1 (not in the plan, nor in a region's expansion)"]
    records.append({"seq": 4, "event": "expansion", "node": "b@2", "nodes": ["b@2/x#1"]})
    assert check_run(plan, records) == []
    records += [{"seq": 5, "event": "unplanned", "node": "y@3", "detail": "a call of 'y'"},
                {"seq": 6, "event": "done", "node": "y@3"}]
    assert check_run(plan, records) == ["unplanned task ran: y@3 (a call of 'y')"]  # once


SLOW_LOOP = '''\
import os
import time

from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task
def step(x):
    with open("effects.log", "a") as handle:
        handle.write(f"step{x}\\n")
        handle.flush()
        os.fsync(handle.fileno())
    time.sleep(0.1)
    return x + 1


x = step(0).result()
while x < 8:
    x = step(x).result()
flow.shutdown()
'''


@pytest.mark.slow
def test_sigkill_inside_a_region_then_resume_runs_each_step_once(tmp_path) -> None:
    plan_dir, _ = _compile(tmp_path, SLOW_LOOP)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "radical.asyncflow.cli", "run", "plan"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once the region finished 3 of its steps
        runs = run_dirs(str(plan_dir))
        records = read(os.path.join(runs[-1], "journal.jsonl")) if runs else []
        if sum(r["event"] == "done" and "/step#" in r.get("node", "") for r in records) >= 3:
            break
        assert proc.poll() is None, "the run ended before the kill point"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)

    resumed = raf("run", "plan", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    log = (tmp_path / "effects.log").read_text().split()
    assert sorted(set(log)) == [f"step{i}" for i in range(8)]
    repeated = [t for t in set(log) if log.count(t) > 1]
    assert len(repeated) <= 1  # only the step running at the kill may run again
    records = journal(plan_dir)
    assert sum(r["event"] == "cached" and "/step#" in r["node"] for r in records) >= 3
    assert _region_value(records, "while-loop@20") == {"x": 8}


BLOCK = '''\
from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task
def measure(x):
    return x * 0.5


@flow.function_task
def refine(x):
    return x / 2


@flow.function_task
def label(x):
    return f"error {x:.3f}"


@flow.block
def adapt(start):
    error = measure(start).result()
    while error > 0.1:
        error = refine(error).result()
    return label(error).result()


results = [adapt(s) for s in (1, 2)]
print([r.result() for r in results])
flow.shutdown()
'''


def test_a_region_in_a_block_body_is_told_apart_from_the_block_members(tmp_path) -> None:
    plan_dir, plan = _compile(tmp_path, BLOCK)
    assert plan["mode"] == "regions", plan.get("module_reasons")
    region = next(n for n in plan["nodes"] if n["id"] == "adapt@29[1]/while-loop@24")
    assert region["region"] == {"in_block": True, "absorbs": [],
                                "tasks": {"refine": {"kind": "function", "options": {}}}}
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = journal(plan_dir)
    expansions = {r["node"]: r["nodes"] for r in records if r["event"] == "expansion"}
    assert expansions == {
        "adapt@29[0]/while-loop@24": [f"adapt@29[0]/while-loop@24/refine#{k}"
                                      for k in (1, 2, 3)],
        "adapt@29[1]/while-loop@24": [f"adapt@29[1]/while-loop@24/refine#{k}"
                                      for k in (1, 2, 3, 4)]}
    assert _region_value(records, "adapt@29[0]") == "error 0.062"
    assert _region_value(records, "adapt@29[1]/label@26") == "error 0.062"
    seqs = {r["node"]: r["seq"] for r in records if r.get("node") and r["event"] in
            ("done", "created")}
    assert seqs["adapt@29[1]/while-loop@24"] < seqs["adapt@29[1]/label@26"]


def test_a_region_a_block_repeats_falls_back_to_the_module(tmp_path) -> None:
    text = BLOCK.replace("    error = measure(start).result()\n    while",
                         "    for _ in range(2):\n        error = measure(start).result()\n"
                         "        while").replace("        error = refine(error)",
                                                 "            error = refine(error)")
    _, plan = _compile(tmp_path, text)
    assert plan["mode"] == "module"
    assert any("runs this region more than once" in r for r in plan["module_reasons"])
