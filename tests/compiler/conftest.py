"""Shared helpers for the compiler tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "workflows"
EXAMPLES = ROOT / "examples"


def run_raf(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
            timeout: float = 60, **kwargs) -> subprocess.CompletedProcess[str]:
    """``python -m radical.asyncflow.cli ARGS`` in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "radical.asyncflow.cli", *args], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=timeout, **kwargs)


def compile_json(path: Path | str, *extra: str) -> dict:
    proc = run_raf("compile", str(path), *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT
