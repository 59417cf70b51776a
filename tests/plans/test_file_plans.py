"""File edges in plans: `raf run` checks every declared output exists when its task ends."""

from __future__ import annotations

import json

import pytest

from radical.asyncflow.runtime.conformance import check_run

from .conftest import EXAMPLES, compile_in, journal, raf


def test_files_example_plan_shows_file_edges_and_conforms(tmp_path) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLES / "20_files_pipeline.py")
    plan = json.loads((plan_dir / "plan.json").read_text())
    nodes = {n["id"]: n for n in plan["nodes"]}
    analyse = next(n for n in plan["nodes"] if n["name"] == "analyse")
    simulate = nodes[analyse["after"][0]]
    assert simulate["name"] == "simulate"  # an edge from the file name alone
    assert simulate["outputs"] == analyse["inputs"] == ["traj_0.dat"]
    assert analyse["outputs"] == ["stats_0.txt"]

    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    done = {r["node"]: r for r in journal(plan_dir) if r["event"] == "done"}
    assert done[simulate["id"]]["outputs"] == {"traj_0.dat": True}
    assert (tmp_path / "stats_2.txt").read_text().split() == ["30", "1395"]


FORGETFUL = '''\
from radical.asyncflow import InputFile, OutputFile, WorkflowEngine

flow = WorkflowEngine()


@flow.executable_task
def produce(out):
    return "echo forgot to write"


@flow.executable_task
def consume(data):
    return f"cat {data}"


produce(OutputFile("result.txt"))
consume(InputFile("result.txt"))
flow.shutdown()
'''


def test_a_missing_declared_output_fails_its_task_and_the_check_names_it(tmp_path) -> None:
    (tmp_path / "wf.py").write_text(FORGETFUL)
    assert raf("compile", "wf.py", "-o", "plan", cwd=tmp_path).returncode == 0
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "node produce@16 failed: OutputMissing" in proc.stderr
    assert "result.txt" in proc.stderr
    events = {r["node"]: r["event"] for r in journal(tmp_path / "plan")
              if r.get("node") and r["event"] in ("done", "failed", "dep_failed")}
    assert events == {"produce@16": "failed", "consume@17": "dep_failed"}


def test_the_check_names_an_output_missing_when_its_task_ended() -> None:
    plan = {"nodes": [{"id": "p@1", "kind": "function", "name": "p", "after": [],
                       "outputs": ["a.txt", "b.txt"]}]}
    records = [{"seq": 1, "event": "created", "node": "p@1"},
               {"seq": 2, "event": "done", "node": "p@1",
                "outputs": {"a.txt": True, "b.txt": False}}]
    assert check_run(plan, records) == ["node p@1 did not create its declared output 'b.txt'"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", [pytest.param("dask", marks=pytest.mark.dask),
                                     pytest.param("radical.pilot", marks=pytest.mark.rp)])
@pytest.mark.timeout(240)
def test_the_files_example_plan_runs_on_dask_and_radical_pilot(tmp_path, backend) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLES / "20_files_pipeline.py", backend)
    proc = raf("run", "plan", "--workers", "2", cwd=tmp_path, timeout=200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    records = journal(plan_dir)
    assert records[0]["backend"] == backend
    outputs = {name: ok for r in records if r["event"] == "done" for name, ok in
               r.get("outputs", {}).items()}
    assert outputs == {f"{kind}_{m}.{ext}": True for kind, ext in (("traj", "dat"),
                                                                   ("stats", "txt"))
                       for m in range(3)}
    assert (tmp_path / "stats_2.txt").read_text().split() == ["30", "1395"]
