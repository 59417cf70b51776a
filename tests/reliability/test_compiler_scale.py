"""Large inputs for the compiler (TESTPLAN S15), each in a fresh subprocess."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import resource
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("compile_bench", ROOT / "benchmarks" / "compile.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _limit_memory(gib: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (gib << 30, gib << 30))

    return apply


@pytest.mark.slow
def test_ten_thousand_task_module_compiles_in_time_and_memory(tmp_path):
    path = tmp_path / "big.py"
    path.write_text(bench.generate(10_000))
    proc = subprocess.run(
        [sys.executable, "-c", bench.CHILD, str(path), "10000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        preexec_fn=_limit_memory(4),
    )
    figures = json.loads(proc.stdout)
    assert figures["nodes"] == 10_000
    assert figures["seconds"] < 15, figures
    assert figures["rss_mib"] < 1024, figures
