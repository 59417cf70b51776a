"""Templates and the schema ship in the wheel: compile from a clean install (S13)."""

from __future__ import annotations

import pathlib
import site
import subprocess
import sys
import sysconfig

import pytest

from .conftest import EXAMPLES, ROOT


def _run(*args: str, cwd: pathlib.Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_compile_from_an_installed_wheel(tmp_path) -> None:
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                 "--no-build-isolation", "-q", "-w", str(dist), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("radical[._]asyncflow-*.whl"))
    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    target = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=tmp_path).stdout.strip()
    installed = _run(sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "-q",
                     "--target", target, str(wheel), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    # dependencies (jinja2, libcst, ...) come from this environment's site-packages, added
    # *after* the clean venv's own, without its .pth files (so no editable install leaks in)
    deps = sysconfig.get_paths()["purelib"]
    (pathlib.Path(target) / "zz_deps.pth").write_text(
        "\n".join(dict.fromkeys([deps, *site.getsitepackages()])) + "\n")
    where = _run(str(python), "-c", "import radical.asyncflow as m; print(m.__file__)",
                 cwd=tmp_path)
    assert where.stdout.startswith(target), where.stdout + where.stderr
    (tmp_path / "examples").mkdir()
    example = EXAMPLES / "10_ensemble_analysis.py"
    (tmp_path / "examples" / example.name).write_text(example.read_text())
    proc = _run(str(python), "-m", "radical.asyncflow.cli", "compile",
                f"examples/{example.name}", "--backend", "radical.pilot", "-o", "plan",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("plan.json", "tasks.py", "run_radical_pilot.py", "submit.slurm"):
        assert (tmp_path / "plan" / name).is_file(), name
    schema = _run(str(python), "-c", "import importlib.resources as r; print(len(r.files("
                  "'radical.asyncflow').joinpath('schemas/plan.schema.json').read_text()))",
                  cwd=tmp_path)
    assert int(schema.stdout) > 1000, schema.stderr
