"""``raf report``: the run view from a journal, the summary, and the self-contained HTML page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from radical.asyncflow.ux.report import html_page, summary
from radical.asyncflow.ux.runview import build

WORKFLOW = '''\
from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def prepare(n):
    return list(range(n))


@flow.function_task
def scale(xs, k):
    return [x * k for x in xs]


@flow.function_task
def explode(xs):
    raise ValueError("boom <b>&</b>")


@flow.function_task
def total(*parts):
    return sum(sum(p) for p in parts)


data = prepare(4)
parts = [scale(data, k) for k in range(3)]
good = total(*parts)
bad = total(explode(data))
flow.shutdown()
'''


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "radical.asyncflow.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real ``raf run`` of a workflow where one task fails; returns the run directory."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "wf.py").write_text(WORKFLOW)
    proc = cli("run", "wf.py", cwd=folder)
    assert proc.returncode == 1, proc.stderr  # one task failed
    return folder / ".raf" / "wf" / "runs" / "1"


def test_report_summary_and_page(finished_run: Path) -> None:
    proc = cli("report", str(finished_run), cwd=finished_run)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"run .*runs/1: failed in \d+\.\d\d s \(local, 7 nodes\)", lines[0])
    assert lines[1] == "  done 5, failed 1, dep_failed 1"
    assert lines[2].startswith("  slowest: ")
    assert "  failed: explode@29: ValueError: boom <b>&</b>" in lines
    assert lines[-1] == f"report: {finished_run / 'report.html'}"
    page = (finished_run / "report.html").read_text()
    assert page.count('<g class="node') == 7 and page.count('<g class="row"') == 6
    assert 'data-id="explode@29" data-state="failed"' in page
    assert 'data-id="total@29" data-state="dep_failed"' in page
    assert "boom &lt;b&gt;&amp;&lt;/b&gt;" in page and "boom <b>" not in page


def test_page_is_self_contained(finished_run: Path) -> None:
    page = html_page(_view(finished_run))
    assert not re.search(r"https?://|\bsrc=|\bhref=|@import|url\((?!#)", page)


def test_plan_directory_means_its_latest_run(finished_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    proc = cli("report", str(finished_run.parent.parent), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("target", ["nope", "."])
def test_not_a_run_exits_2(target: str, tmp_path: Path) -> None:
    proc = cli("report", target, cwd=tmp_path)
    assert proc.returncode == 2 and "not a run directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def _view(run_dir: Path):
    from radical.asyncflow.ux.runview import load_run

    return load_run(str(run_dir))


PLAN = {"backend": "local", "source": {"path": "wf.py"},
        "estimates": {"critical_path": {"nodes": ["a@1", "b@2"]}},
        "nodes": [{"id": "a@1", "kind": "function", "name": "a", "after": [], "parent": None,
                   "span": {"path": "wf.py", "line": 1, "col": 1, "end_line": 1, "end_col": 2}},
                  {"id": "b@2", "kind": "function", "name": "b", "after": ["a@1"],
                   "parent": None,
                   "span": {"path": "wf.py", "line": 2, "col": 1, "end_line": 2, "end_col": 2}},
                  {"id": "c@3", "kind": "executable", "name": "c", "after": [], "parent": None,
                   "span": {"path": "wf.py", "line": 3, "col": 1, "end_line": 3, "end_col": 2}}]}


def test_view_of_an_unfinished_run() -> None:
    records = [
        {"seq": 1, "event": "start", "backend": "dask", "t": 0.0},
        {"seq": 2, "event": "created", "node": "a@1", "t": 0.1},
        {"seq": 3, "event": "running", "node": "a@1", "t": 0.2},
        {"seq": 4, "event": "done", "node": "a@1", "t": 1.2},
        {"seq": 5, "event": "submitted", "node": "b@2", "t": 1.3},
        {"seq": 6, "event": "running", "node": "b@2", "t": 1.5},
        {"seq": 7, "event": "done", "node": "for-loop@9/x@4[0]", "t": 1.6},
    ]
    view = build("runs/1", PLAN, records)
    by_id = {n.id: n for n in view.nodes}
    assert (view.outcome, view.backend, view.seconds) == ("unfinished", "dask", 1.6)
    assert (by_id["a@1"].state, by_id["a@1"].queued, by_id["a@1"].seconds) == ("done", 0.1, 1.0)
    assert by_id["b@2"].state == "running" and by_id["c@3"].state == "not run"
    extra = by_id["for-loop@9/x@4[0]"]
    assert not extra.planned and extra.name == "x"
    assert view.counts()["running"] == 1
    page = html_page(view)
    assert 'class="edge critical"' in page and "unplanned" in page
    assert "running 1" in summary(view)


def test_view_without_times_still_renders() -> None:
    records = [{"seq": 1, "event": "start"}, {"seq": 2, "event": "failed", "node": "a@1",
                                              "error": "x"}, {"seq": 3, "event": "end",
                                                              "outcome": "failed"}]
    view = build("runs/2", PLAN, records)
    assert view.outcome == "failed" and view.nodes[0].seconds is None
    assert "<svg id=\"gantt\"" in html_page(view)

