"""The pytest plugin, as a user's project sees it (pytester, syrupy, the ``raf_plan`` fixture)."""

from __future__ import annotations

import json

import pytest

from radical.asyncflow.testing import PlanError, plan_text

from .conftest import EXAMPLES

pytest_plugins = ["pytester"]

ENSEMBLE = (EXAMPLES / "10_ensemble_analysis.py").read_text()
TEST_FILE = '''
def test_plan(raf_plan, snapshot):
    assert raf_plan("workflows/ensemble.py", backend="radical.pilot") == snapshot
'''


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project: a workflow module and the snapshot test of its plan."""
    pytester.makefile(".ini", pytest="[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (pytester.path / "workflows").mkdir()
    (pytester.path / "workflows" / "ensemble.py").write_text(ENSEMBLE)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_plans.py").write_text(TEST_FILE)
    return pytester


def _run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_snapshot_lifecycle(project: pytest.Pytester) -> None:
    missing = _run(project)
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*1 snapshot failed*"])

    created = _run(project, "--snapshot-update")
    created.assert_outcomes(passed=1)
    created.stdout.fnmatch_lines(["*1 snapshot generated*"])
    stored = (project.path / "tests" / "__snapshots__" / "test_plans.ambr").read_text()
    assert '"backend": "radical.pilot"' in stored and "<sha256>" in stored
    assert '"path": "workflows/ensemble.py"' in stored and str(project.path) not in stored

    _run(project).assert_outcomes(passed=1)

    module = project.path / "workflows" / "ensemble.py"
    module.write_text(module.read_text() + "\n# a comment changes digests, not the snapshot\n")
    _run(project).assert_outcomes(passed=1)

    module.write_text(module.read_text().replace('"cores_per_rank": 2', '"cores_per_rank": 3'))
    changed = _run(project, "-vv")
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(['*-*"cores_per_rank": 2,*', '*+*"cores_per_rank": 3,*',
                                  "*1 snapshot failed*"])

    updated = _run(project, "--snapshot-update")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(["*1 snapshot updated*"])
    _run(project).assert_outcomes(passed=1)


def test_a_module_with_errors_fails_with_its_diagnostics(project: pytest.Pytester) -> None:
    (project.path / "workflows" / "ensemble.py").write_text("def broken(:\n")
    result = _run(project, "--snapshot-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*raf_plan('workflows/ensemble.py', backend='radical.pilot'):*",
                                 "*RAF101*"])
    assert "Traceback" not in result.stdout.str()


def test_output_is_stable_and_normalised(tmp_path, monkeypatch) -> None:
    texts = set()
    for cwd in (EXAMPLES, tmp_path):
        monkeypatch.chdir(cwd)
        texts.add(plan_text(EXAMPLES / "13_nested_blocks.py", "dask", root=EXAMPLES.parent))
    assert len(texts) == 1
    plan = json.loads(texts.pop())
    assert plan["schema"] == "radical.asyncflow.plan/1" and plan["backend"] == "dask"
    assert plan["source"]["path"] == "examples/13_nested_blocks.py"
    assert {n["span"]["path"] for n in plan["nodes"]} == {"examples/13_nested_blocks.py"}


@pytest.mark.parametrize(("path", "backend", "message"), [
    ("nope.py", "local", "no such workflow module"),
    (str(EXAMPLES / "13_nested_blocks.py"), "slurm", "unknown backend 'slurm'"),
])
def test_plan_errors(path, backend, message) -> None:
    with pytest.raises(PlanError, match=message):
        plan_text(path, backend)
