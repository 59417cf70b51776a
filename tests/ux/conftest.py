"""Helpers for the UX tests: the CLI in-process (exit code, stdout, stderr)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from radical.asyncflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("1*.py"))


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def raf(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``raf ARGS`` in this process, in the current directory."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch directory holding copies of the examples, and the cwd."""
    for path in EXAMPLE_FILES:
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str, target: Path | None = None) -> Path:
    """Write ``path``'s text with one replacement to ``target`` (default: in place)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    target = target or path
    target.write_text(text.replace(old, new, 1))
    return target
