"""Golden JSON of every example, through the CLI (syrupy; `--snapshot-update` to refresh)."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLES, ROOT, run_raf

EXAMPLE_FILES = sorted(EXAMPLES.glob("1*.py"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_example_compile_json(path, snapshot) -> None:
    proc = run_raf("compile", str(path.relative_to(ROOT)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == snapshot
