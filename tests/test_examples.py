"""Every local example runs as a plain script, as a user would run it."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOCAL = sorted(p for p in (ROOT / "examples").glob("*.py")
               if not p.name.startswith(("00_", "01_")))  # RP and Dask: their backend tests


@pytest.mark.parametrize("path", LOCAL, ids=lambda p: p.name)
def test_example_runs(path, tmp_path):
    result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "an example should show its result"
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "examples leave nothing in the working directory"


def test_seed_examples_print_a_number(tmp_path):
    for name in ("02_seed_local.py", "03_seed_async.py"):
        out = subprocess.run([sys.executable, str(ROOT / "examples" / name)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, check=True).stdout
        assert out.strip().isdigit() and int(out) % 4 == 0
