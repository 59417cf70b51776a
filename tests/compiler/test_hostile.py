"""Hostile and odd inputs: diagnostics within seconds, never a crash or a hang."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

import pytest

from radical.asyncflow.compiler import compile_path

from .conftest import run_raf

GIB = 1024 ** 3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * GIB, 3 * GIB))


def check_codes(path: Path, *extra: str) -> tuple[int, list[str]]:
    proc = run_raf("check", "--format", "json", *extra, str(path), timeout=30,
                   preexec_fn=_limit_memory)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, [d["code"] for d in json.loads(proc.stdout)["diagnostics"]]


@pytest.mark.parametrize("name, text", [
    ("parens", "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n"),
    ("nots", "x = " + "not " * 10_000 + "1\n"),
    ("indent", "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n"),
])
def test_deep_nesting_is_refused_cleanly(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    code, codes = check_codes(path)
    assert code == 1 and codes in (["RAF103"], ["RAF101"]), codes


@pytest.mark.parametrize("name, text", [
    ("plus", "x = " + "1+" * 10_000 + "1\n"),
    ("attrs", "x = a" + ".b" * 10_000 + "\n"),
    ("calls", "x = f" + "()" * 10_000 + "\n"),
    ("mixed", "x = " + "1+" * 2000 + "1\ny = a" + ".b" * 1500 + "\n"),
])
def test_long_chains_are_analysed_or_refused_cleanly(tmp_path: Path, name: str,
                                                     text: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    code, codes = check_codes(path)
    assert code in (0, 1) and "RAF900" not in codes, codes


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.py"
    path.write_bytes(b"x = 1\n" * (20 * 1024 * 1024 // 6))
    code, codes = check_codes(path)
    assert code == 1 and codes == ["RAF103"]


@pytest.mark.parametrize("data, code", [
    (b"x = 1\x00\n", "RAF102"),
    (b"x = '\xff\xfe'\n", "RAF102"),
    (b"# -*- coding: klingon -*-\nx = 1\n", "RAF102"),
    (b"if x:\n\tpass\n        pass\n", "RAF101"),
])
def test_undecodable_input(tmp_path: Path, in_root, data: bytes, code: str) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(data)
    assert [d.code for d in compile_path(str(path)).diagnostics] == [code]


@pytest.mark.parametrize("data", [
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", b"\xef\xbb\xbfx = 1\n", b"x = 1\r\ny = 2\r\n",
    b"", b"x = 1",
])
def test_valid_encodings_compile(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ok.py"
    path.write_bytes(data)
    codes = [d.code for d in compile_path(str(path)).diagnostics]
    assert not [c for c in codes if c.startswith("RAF1")], codes


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.py"
    os.symlink(loop, loop)
    for path in (fifo, tmp_path, loop, Path("/dev/zero"), tmp_path / "missing.py"):
        workflow = compile_path(str(path))
        assert [d.code for d in workflow.diagnostics] == ["RAF104"], path


def test_unroll_of_a_huge_range_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text("from radical.asyncflow import WorkflowEngine\nflow = WorkflowEngine()\n"
                    "@flow.function_task\ndef t(i):\n    return i\n"
                    "for i in range(10**12):\n    t(i)\n"
                    "for i in range(10**12):\n    x = i\n")
    code, codes = check_codes(path, "--max-nodes", "1000")
    assert code == 0 and codes == ["RAF405", "RAF405"]


def test_many_errors_are_all_reported_sorted(tmp_path: Path) -> None:
    path = tmp_path / "many.py"
    path.write_text("from radical.asyncflow import WorkflowEngine\nflow = WorkflowEngine()\n"
                    + "".join(f"x{i} = undefined_{i}\n" for i in range(150)))
    code, codes = check_codes(path)
    assert code == 1 and codes == ["RAF302"] * 150
    proc = run_raf("check", str(path))
    assert "... and 50 more" in proc.stdout and "150 errors" in proc.stdout


def test_determinism_across_hash_seeds(in_root) -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        for target in ("examples/11_hyperparameter_sweep.py",
                       "tests/data/workflows/raf602_set_iteration.py"):
            proc = run_raf("compile", target, env={"PYTHONHASHSEED": seed})
            outputs.add((target, proc.stdout))
    assert len(outputs) == 2


def test_runs_offline_without_importing_the_user_module(tmp_path: Path) -> None:
    path = tmp_path / "exits.py"
    path.write_text("import os\nos._exit(13)\n")
    proc = run_raf("check", str(path))
    assert proc.returncode == 0 and sys.executable
