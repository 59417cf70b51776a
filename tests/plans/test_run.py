"""`raf run`: every example's local plan runs and conforms; tampered plans are caught."""

from __future__ import annotations

import json

import pytest

from radical.asyncflow.runtime.conformance import check_run, template_matches

from .conftest import EXAMPLE_FILES, EXAMPLES, compile_in, journal, load, raf


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[e.stem for e in EXAMPLE_FILES])
def test_every_example_plan_runs_and_conforms(example, tmp_path) -> None:
    plan_dir = compile_in(tmp_path, example)
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "done" in proc.stdout  # the summary table
    plan = load(plan_dir / "plan.json")
    records = journal(plan_dir)
    assert check_run(plan, records, str(tmp_path)) == []
    finished = {r["node"] for r in records if r["event"] == "done" and r.get("node")}
    expanded = {n for r in records if r["event"] == "expansion" for n in r["nodes"]}
    assert finished == {n["id"] for n in plan["nodes"]} | expanded
    assert records[-1]["event"] == "end" and records[-1]["outcome"] == "ok"


def test_run_compiles_a_module_on_the_fly(tmp_path) -> None:
    compile_in(tmp_path, EXAMPLE_FILES[-1])
    proc = raf("run", f"examples/{EXAMPLE_FILES[-1].name}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".raf" / EXAMPLE_FILES[-1].stem / "runs" / "1" / "journal.jsonl").exists()


def _tampered(tmp_path, edit) -> tuple[int, str]:
    plan_dir = compile_in(tmp_path, EXAMPLES / "17_fan_out_fan_in.py")
    path = plan_dir / "plan.json"
    plan = json.loads(path.read_text())
    edit(plan, tmp_path)
    path.write_text(json.dumps(plan))
    proc = raf("run", "plan", cwd=tmp_path)
    assert not (plan_dir / "runs" / "1" / "journal.jsonl").exists()  # refused before running
    return proc.returncode, proc.stderr


def _drop_edge(plan, _tmp) -> None:
    dep, node = plan["edges"].pop(3)
    target = next(n for n in plan["nodes"] if n["id"] == node)
    target["after"].remove(dep)
    target["args"] = [0 if dep in json.dumps(a) else a for a in target["args"]]


def _drop_edge_only(plan, _tmp) -> None:
    plan["edges"].pop(0)


def _extra_node(plan, _tmp) -> None:
    extra = dict(plan["nodes"][-1], id="report@99")
    plan["nodes"].append(extra)
    plan["edges"] += [[d, "report@99"] for d in extra["after"]]


def _changed_source(_plan, tmp) -> None:
    path = tmp / "examples" / "17_fan_out_fan_in.py"
    path.write_text(path.read_text().replace("CHUNKS = 8", "CHUNKS = 4"))


@pytest.mark.parametrize(("edit", "expected"), [
    (_drop_edge, "is missing from the plan"),
    (_drop_edge_only, "is missing from 'edges'"),
    (_extra_node, "report@99"),
    (_changed_source, "changed since this plan was compiled"),
], ids=["dropped-edge", "dropped-edge-list-only", "extra-node", "changed-source"])
def test_tampered_plans_are_caught(tmp_path, edit, expected) -> None:
    code, stderr = _tampered(tmp_path, edit)
    assert code == 1
    assert expected in stderr
    assert "Traceback" not in stderr


def test_edited_tasks_py_is_refused(tmp_path) -> None:
    plan_dir = compile_in(tmp_path, EXAMPLE_FILES[0])
    with open(plan_dir / "tasks.py", "a") as handle:
        handle.write("\n# edited\n")
    proc = raf("run", "plan", cwd=tmp_path)
    assert proc.returncode == 1 and "edited after `raf compile`" in proc.stderr


def test_check_run_reports_each_discrepancy() -> None:
    plan = {"nodes": [
        {"id": "a@1", "kind": "function", "name": "a", "after": []},
        {"id": "b@2", "kind": "executable", "name": "b", "after": ["a@1"],
         "command": "echo {x}", "command_template": True},
        {"id": "c@3", "kind": "function", "name": "c", "after": ["b@2"]},
    ]}
    records = [
        {"seq": 1, "event": "submitted", "node": "b@2"},
        {"seq": 1, "event": "created", "node": "a@1"},
        {"seq": 1, "event": "created", "node": "a@1"},
        {"seq": 2, "event": "done", "node": "a@1"},
        {"seq": 3, "event": "done", "node": "b@2", "command": "ls /", "exit_code": 0},
        {"seq": 4, "event": "done", "node": "a@1"},
        {"seq": 5, "event": "unplanned", "node": "x@9", "detail": "?"},
    ]
    problems = check_run(plan, records)
    assert any("ran 2 times" in p for p in problems)
    assert any("started before its dependency a@1" in p for p in problems)
    assert any("does not fit the planned template" in p for p in problems)
    assert any("c@3 never ran" in p for p in problems)
    assert any("unplanned task ran: x@9" in p for p in problems)


def test_template_matching() -> None:
    assert template_matches("echo production {state}", "echo production x@280K")
    assert not template_matches("echo production {state}", "rm production x")
    assert template_matches("echo {{literal}} {x}", "echo {literal} 1")


@pytest.mark.dask
@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[e.stem for e in EXAMPLE_FILES])
def test_every_example_plan_runs_on_dask_and_conforms(example, tmp_path) -> None:
    plan_dir = compile_in(tmp_path, example, "dask")
    proc = raf("run", "plan", "--backend", "dask", "--workers", "2", cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = load(plan_dir / "plan.json")
    records = journal(plan_dir)
    assert check_run(plan, records, str(tmp_path)) == []
    assert records[-1]["event"] == "end" and records[-1]["outcome"] == "ok"
