"""Testing helpers for users' workflows: stable plan text for snapshot tests.

The pytest plugin (:mod:`.plugin`, entry point ``radical_asyncflow``) gives the
``raf_plan`` fixture; :func:`plan_text` is the same thing without pytest.
"""

from .snapshot import PlanError, plan_text

__all__ = ["PlanError", "plan_text"]
