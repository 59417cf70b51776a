"""``raf diff``: snapshots on edited examples, plans, git revisions (never executed), exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from radical.asyncflow.ux.diff import line_free, match
from radical.asyncflow.ux.load import load

from .conftest import EXAMPLES, edit

#: (name, example, old text, new text, backend)
EDITS = [
    ("more-stages", "13_nested_blocks.py", "[280, 300, 320]", "[280, 300, 320, 340]", None),
    ("more-cores", "12_bioinformatics_pipeline.py", '"cores_per_rank": 4', '"cores_per_rank": 8',
     "radical.pilot"),
    ("bigger-sweep", "11_hyperparameter_sweep.py", "[32, 64]", "[32, 64, 128]", "radical.pilot"),
    ("fewer-samples", "12_bioinformatics_pipeline.py", ', "NA12892"]', "]", "dask"),
]


def _variant(folder: Path, name: str, example: str, old: str, new: str) -> Path:
    return edit(folder / example, old, new, folder / f"{name}.py")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(("name", "example", "old", "new", "backend"), EDITS,
                         ids=[e[0] for e in EDITS])
def test_diff_edited_examples(raf, snapshot, examples_copy, name, example, old, new, backend,
                              fmt) -> None:
    _variant(examples_copy, name, example, old, new)
    args = ["diff", example, f"{name}.py", "--format", fmt]
    result = raf(*args, *(["--backend", backend] if backend else []))
    assert result.code == 1, result.err
    assert result.out == snapshot


def test_impact_lines_name_the_machine(raf, examples_copy) -> None:
    _variant(examples_copy, "sweep", "11_hyperparameter_sweep.py", "[32, 64]", "[32, 64, 128]")
    out = raf("diff", "11_hyperparameter_sweep.py", "sweep.py", "--backend", "radical.pilot").out
    assert "  adds 3 GPU tasks\n" in out
    assert "  pilot grows from 7 to 15 cores\n" in out


def test_same_graph_exits_0(raf, examples_copy) -> None:
    result = raf("diff", "13_nested_blocks.py", "13_nested_blocks.py")
    assert (result.code, result.out.splitlines()[-1]) == (0, "no differences (12 nodes, 10 edges)")


def test_moved_lines_are_renumbered_not_different(raf, examples_copy) -> None:
    edit(examples_copy / "17_fan_out_fan_in.py", '"""', '# a new first line\n"""',
         examples_copy / "moved.py")
    result = raf("diff", "17_fan_out_fan_in.py", "moved.py", "--format", "json")
    assert result.code == 0, result.out
    data = json.loads(result.out)
    assert data["equal"] and data["summary"]["renumbered"] == data["summary"]["nodes"][0] > 0
    assert data["nodes"]["renumbered"] == sorted(data["nodes"]["renumbered"],
                                                 key=lambda r: (r["from"], r["to"]))


def test_diff_is_stable_across_hash_seeds(examples_copy) -> None:
    _variant(examples_copy, "v", "13_nested_blocks.py", "[280, 300, 320]", "[300, 400]")
    outputs = set()
    for seed in ("0", "1", "12345"):
        args = ["diff", "13_nested_blocks.py", "v.py", "--format", "json"]
        proc = subprocess.run([sys.executable, "-m", "radical.asyncflow.cli", *args],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 1, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_two_plans_and_plan_vs_module(raf, examples_copy) -> None:
    _variant(examples_copy, "v", "12_bioinformatics_pipeline.py", '"cores_per_rank": 4',
             '"cores_per_rank": 8')
    for src, out in (("12_bioinformatics_pipeline.py", "p1"), ("v.py", "p2")):
        assert raf("compile", src, "--backend", "radical.pilot", "-o", out).code == 0
    plans = raf("diff", "p1", "p2")
    assert plans.code == 1
    assert "    resources.cores_per_rank: 4 -> 8" in plans.out
    assert "impact (radical.pilot):" in plans.out and "pilot grows from 16 to 28 cores" in plans.out
    mixed = raf("diff", "p1/plan.json", "v.py", "--backend", "radical.pilot")
    assert mixed.out.splitlines()[2:] == plans.out.splitlines()[2:]
    assert raf("diff", "p1", "12_bioinformatics_pipeline.py").code == 0


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", "."], check=True)
    return tmp_path


def _commit(message: str) -> None:
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], check=True)


def test_against_a_git_revision_never_runs_the_old_file(raf, repo, examples_copy) -> None:
    sentinel = repo / "EXECUTED"
    wf = repo / "wf.py"
    hostile = f"open({str(sentinel)!r}, 'w').write('old revision ran')\n"
    wf.write_text(hostile + (repo / "13_nested_blocks.py").read_text())
    _commit("old")
    edit(wf, "[280, 300, 320]", "[280, 300]")
    os.mkdir("sub")
    _commit("new")
    result = raf("diff", "wf.py", "--against", "HEAD~1")
    assert result.code == 1, result.err
    assert result.out.startswith("--- wf.py@HEAD~1\n+++ wf.py\n")
    assert "- campaign@48/stage@40[2]  [block]" in result.out
    assert raf("diff", "wf.py", "--against", "HEAD").code == 0
    os.chdir("sub")
    assert raf("diff", "../wf.py", "--against", "HEAD").code == 0  # paths relative to the cwd
    assert not sentinel.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("wf.py", "--against", "no-such-rev"), "cannot read wf.py at no-such-rev"),
    (("wf.py", "--against", "--help"), "is not a revision"),
    (("new.py", "--against", "HEAD"), "cannot read new.py at HEAD"),
    (("wf.py",), "give two paths A B, or one path and --against REV"),
    (("wf.py", "wf.py", "--against", "HEAD"), "give two paths A B"),
    (("missing.py", "wf.py"), "missing.py: no such module or plan directory"),
    (("emptydir", "wf.py"), "a directory without plan.json"),
])
def test_unreadable_sides_exit_2(raf, repo, args, message) -> None:
    (repo / "wf.py").write_text("x = 1\n")
    _commit("one")
    (repo / "new.py").write_text("x = 2\n")
    os.mkdir("emptydir")
    result = raf("diff", *args)
    assert result.code == 2, result
    assert message in result.err and "Traceback" not in result.err


def test_line_free_matching() -> None:
    assert line_free("campaign@47/stage@39[1]/equilibrate@32") == "campaign/stage[1]/equilibrate"
    a = load(str(EXAMPLES / "13_nested_blocks.py"))
    pairs = match(a.workflow.nodes, a.workflow.nodes)
    assert all(k == v for k, v in pairs.items()) and len(pairs) == 12
