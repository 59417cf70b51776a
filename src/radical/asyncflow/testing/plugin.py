"""The pytest plugin (entry point ``radical_asyncflow``): the ``raf_plan`` fixture.

    def test_plan(raf_plan, snapshot):
        assert raf_plan("workflows/ensemble.py", backend="radical.pilot") == snapshot

``raf_plan(path, backend="local", strict=False)`` returns the module's plan as
normalised canonical JSON text (see :mod:`radical.asyncflow.testing.snapshot`);
with syrupy, ``pytest --snapshot-update`` records it.  A relative ``path`` is
looked up from the pytest rootdir, then next to the test file.  A module with
errors fails the test with the diagnostics, not a traceback.

Importing this module costs nothing: the compiler loads on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def _locate(path: str, request: pytest.FixtureRequest) -> Path:
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate
    for base in (request.config.rootpath, request.path.parent):
        if (base / candidate).is_file():
            return base / candidate
    return request.config.rootpath / candidate


@pytest.fixture
def raf_plan(request: pytest.FixtureRequest) -> Callable[..., str]:
    """A function: workflow module path (+ backend) -> stable plan text for snapshots."""
    from .snapshot import PlanError, plan_text

    def make(path: str, backend: str = "local", *, strict: bool = False) -> str:
        try:
            return plan_text(_locate(path, request), backend, root=request.config.rootpath,
                             strict=strict)
        except PlanError as exc:
            pytest.fail(f"raf_plan({path!r}, backend={backend!r}):\n{exc}", pytrace=False)

    return make
