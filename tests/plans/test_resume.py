"""Resume after SIGKILL and SIGINT, and re-running only what changed (R7, R9).

The workflow below logs one token per task execution to ``effects.log`` (an
fsync'd append), so the tests can count how often each task really ran.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from radical.asyncflow.runtime.journal import read, run_dirs

from .conftest import ROOT, raf

MODULE = '''\
import os
import time

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

LOG = "effects.log"
PAUSE = 0.12

flow = WorkflowEngine(backend=LocalExecutionBackend({"max_workers": 2}))


def mark(token):
    with open(LOG, "a") as handle:
        handle.write(token + "\\n")
        handle.flush()
        os.fsync(handle.fileno())
    time.sleep(PAUSE)


@flow.function_task
def leaf(i):
    mark(f"leaf{i}")
    return i * i


@flow.function_task
def pair(a, b, tag):
    mark(f"pair{tag}")
    return a + b


@flow.executable_task
def shout(total):
    return f"echo shout >> {LOG}; sleep {PAUSE}; echo $(( {total} * 2 ))"


@flow.function_task
def final(a, b, c):
    mark("final")
    return int(a) + b + c


leaves = [leaf(i) for i in range(6)]
pairs = [pair(leaves[j], leaves[j + 1], j) for j in range(0, 6, 2)]
print(final(shout(pairs[0]), pairs[1], pairs[2]).result())
flow.shutdown()
'''



def _setup(tmp_path, name="wf.py"):
    (tmp_path / name).write_text(MODULE)
    proc = raf("compile", name, "--backend", "local", "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "plan"


def _plan(plan_dir):
    return json.loads((plan_dir / "plan.json").read_text())


def _tokens(plan):
    out = {}
    for node in plan["nodes"]:
        if node["name"] == "leaf":
            out[node["id"]] = f"leaf{node['args'][0]}"
        elif node["name"] == "pair":
            out[node["id"]] = f"pair{node['args'][2]}"
        else:
            out[node["id"]] = {"shout": "shout", "final": "final"}[node["name"]]
    return out


def _popen(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "radical.asyncflow.cli", "run", "plan", *args],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for_records(plan_dir, count, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = run_dirs(str(plan_dir))
        if runs and len(read(os.path.join(runs[-1], "journal.jsonl"))) >= count:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    raise AssertionError("the run made no progress")


def _final_digest(plan_dir):
    for run in reversed(run_dirs(str(plan_dir))):
        for rec in read(os.path.join(run, "journal.jsonl")):
            if rec.get("node", "").startswith("final@") and rec["event"] in ("done", "cached"):
                return rec["digest"]
    raise AssertionError("final never finished")


def _counts(tmp_path):
    log = (tmp_path / "effects.log").read_text().split()
    return {token: log.count(token) for token in set(log)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    plan_dir = _setup(tmp)
    proc = raf("run", "plan", cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    counts = _counts(tmp)
    assert set(counts.values()) == {1} and len(counts) == 11
    return _final_digest(plan_dir)


#: journal sizes at which the run is killed (a full run writes about 36 records)
KILL_POINTS = sorted(random.Random(20261204).sample(range(2, 30), 5))


@pytest.mark.slow
@pytest.mark.parametrize("records", KILL_POINTS)
def test_sigkill_then_resume(tmp_path, reference, records) -> None:
    plan_dir = _setup(tmp_path)
    plan = _plan(plan_dir)
    proc = _popen(tmp_path)
    assert _wait_for_records(plan_dir, records, proc), "the run ended before the kill point"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    killed = read(os.path.join(run_dirs(str(plan_dir))[-1], "journal.jsonl"))
    finished = {r["node"] for r in killed if r["event"] == "done" and r.get("node")}
    after = {n["id"]: n["after"] for n in plan["nodes"]}
    may_have_run = {nid for nid in after if nid not in finished
                    and all(d in finished for d in after[nid])}

    proc = raf("run", "plan", "--resume", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    resumed = read(os.path.join(run_dirs(str(plan_dir))[-1], "journal.jsonl"))
    assert {r["node"] for r in resumed if r["event"] == "cached"} == finished
    counts = _counts(tmp_path)
    for nid, token in _tokens(plan).items():
        allowed = {1, 2} if nid in may_have_run else {1}
        assert counts.get(token, 0) in allowed, (nid, counts, finished)
    assert _final_digest(plan_dir) == reference


def test_changing_one_task_reruns_it_and_its_downstream_only(tmp_path) -> None:
    plan_dir = _setup(tmp_path)
    assert raf("run", "plan", cwd=tmp_path).returncode == 0
    source = tmp_path / "wf.py"
    source.write_text(MODULE.replace("    return a + b\n", "    return b + a\n"))
    proc = raf("compile", "wf.py", "--backend", "local", "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 0
    proc = raf("run", "plan", "--resume", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = read(os.path.join(run_dirs(str(plan_dir))[-1], "journal.jsonl"))
    ran = {r["node"].split("@")[0] for r in records if r["event"] == "done"}
    cached = {r["node"].split("@")[0] for r in records if r["event"] == "cached"}
    assert ran == {"pair", "shout", "final"}
    assert cached == {"leaf"}


def test_sigint_exits_130_and_resume_finishes(tmp_path, reference) -> None:
    plan_dir = _setup(tmp_path)
    proc = _popen(tmp_path)
    assert _wait_for_records(plan_dir, 12, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    records = read(os.path.join(run_dirs(str(plan_dir))[-1], "journal.jsonl"))
    assert records[-1]["event"] == "end" and records[-1]["outcome"] == "interrupted"
    assert any(r["event"] == "cancelled" for r in records)
    proc2 = raf("run", "plan", "--resume", cwd=tmp_path)
    assert proc2.returncode == 0, proc2.stdout + proc2.stderr
    assert _final_digest(plan_dir) == reference
