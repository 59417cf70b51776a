"""Helpers for the plan tests: compile examples into plan directories, run `raf run`."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted([*EXAMPLES.glob("1*.py"), EXAMPLES / "02_seed_local.py",
                        EXAMPLES / "03_seed_async.py"])
BACKENDS = ("local", "dask", "radical.pilot")
SCHEMA = ROOT / "src" / "radical" / "asyncflow" / "schemas" / "plan.schema.json"


def raf(*args: str, cwd: pathlib.Path | str, timeout: float = 120,
        env_extra: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "radical.asyncflow.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


def compile_in(workdir: pathlib.Path, example: pathlib.Path, backend: str = "local",
               out: str = "plan") -> pathlib.Path:
    """Copy ``example`` to ``workdir/examples`` and compile it there (paths stay relative)."""
    (workdir / "examples").mkdir(exist_ok=True)
    shutil.copy(example, workdir / "examples" / example.name)
    from radical.asyncflow.cli import main

    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        code = main(["compile", f"examples/{example.name}", "--backend", backend, "-o", out])
    finally:
        os.chdir(cwd)
    assert code == 0
    return workdir / out


def journal(plan_dir: pathlib.Path, run: int | None = None) -> list[dict]:
    from radical.asyncflow.runtime.journal import read, run_dirs

    runs = run_dirs(str(plan_dir))
    path = runs[-1] if run is None else runs[run - 1]
    return read(os.path.join(path, "journal.jsonl"))


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def plan_schema() -> dict:
    return load(SCHEMA)
