"""Fixture workflows with inline expectations: ``line  # RAF302`` means "RAF302 on this line".

Every fixture under ``tests/data/workflows`` is compiled statically and the set of
(line, code) pairs must equal the expectations exactly: no missing finding and no
false positive.  A first line ``# raf-test: max-nodes=50`` passes limits.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from radical.asyncflow.compiler import Limits, Options, compile_path
from radical.asyncflow.compiler.rules import RULES

from .conftest import FIXTURES

EXPECT = re.compile(r"#\s*((?:RAF\d{3}[\s,]*)+)$")
SETTINGS = re.compile(r"#\s*raf-test:\s*(.*)$")
FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))
# Codes that cannot be written as a .py fixture, each covered by a dedicated test.
COVERED_ELSEWHERE = {
    "RAF104": "test_hostile.py::test_not_a_regular_file",
    "RAF900": "test_cli.py::test_internal_error_exits_3",
    "RAF105": "test_cli.py::test_trace_reports_a_module_that_needs_real_values",
    "RAF701": "tests/plans/test_extract.py (only `raf compile -o` extracts task code)",
}


def expectations(path: Path) -> set[tuple[int, str]]:
    found = set()
    text = path.read_bytes().decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        if "raf: ignore" in line:
            continue
        match = EXPECT.search(line)
        if match:
            found.update((number, code) for code in re.findall(r"RAF\d{3}", match.group(1)))
    return found


def options_for(path: Path) -> Options:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    match = SETTINGS.search(first)
    if not match:
        return Options()
    settings = dict(item.split("=") for item in match.group(1).split())
    return Options(limits=Limits(max_nodes=int(settings.get("max-nodes", 100_000))))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture(path: Path, in_root: Path) -> None:
    workflow = compile_path(str(path.relative_to(in_root)), options_for(path))
    got = {(d.span.line, d.code) for d in workflow.diagnostics}
    assert got == expectations(path), "\n".join(
        f"{d.span.line}: {d.code} {d.message}" for d in workflow.diagnostics)


def test_every_code_has_a_fixture() -> None:
    covered = {code for path in FIXTURE_FILES for _, code in expectations(path)}
    missing = set(RULES) - covered - set(COVERED_ELSEWHERE)
    assert not missing, f"codes without a fixture: {sorted(missing)}"


def test_fixture_file_names_match_their_code() -> None:
    for path in FIXTURE_FILES:
        match = re.match(r"raf(\d{3})_", path.name)
        if match:
            assert f"RAF{match.group(1)}" in {c for _, c in expectations(path)}, path.name
