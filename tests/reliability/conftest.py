from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _leak_check(no_leaks):
    yield
