"""docs/reliability.md names a real test for every scenario of the test plan."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIOS = ([f"S{i}" for i in range(1, 16)] + [f"R{i}" for i in range(1, 16)] + ["C1", "C2"])
ROW = re.compile(r"^\| ([SRC]\d+) \|.*\|(.*)\|\s*$")
TEST = re.compile(r"`(tests/[^`:]+)::([A-Za-z_][A-Za-z0-9_]*)`")


def _rows():
    rows = {}
    for line in (ROOT / "docs" / "reliability.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = TEST.findall(match.group(2))
    return rows


def test_every_scenario_has_a_row_with_tests():
    rows = _rows()
    assert sorted(rows) == sorted(SCENARIOS)
    assert all(rows.values()), [k for k, v in rows.items() if not v]


def test_every_named_test_exists():
    missing = []
    for scenario, tests in _rows().items():
        for path, name in tests:
            source = ROOT / path
            pattern = rf"^(async def|def|class) {name}\b|^{name} = "
            if not source.exists() or not re.search(pattern, source.read_text(), re.M):
                missing.append(f"{scenario}: {path}::{name}")
    assert not missing, missing
