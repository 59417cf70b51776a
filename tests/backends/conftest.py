from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _leak_check(request, no_leaks):
    """Every backend test leaves no thread, process or fd of its own behind."""
    yield
