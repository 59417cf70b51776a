"""Docs that must not go stale."""

from __future__ import annotations

from radical.asyncflow.compiler.rules import RULES
from radical.asyncflow.compiler.rules.markdown import diagnostics_markdown

from .conftest import ROOT


def test_diagnostics_md_is_generated_from_the_rules() -> None:
    current = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert current == diagnostics_markdown(), (
        "docs/diagnostics.md is stale: run "
        "`python -m radical.asyncflow.compiler.rules.markdown > docs/diagnostics.md`")


def test_every_rule_doc_has_the_four_sections() -> None:
    for rule in RULES.values():
        for section in ("What it does:", "Why:", "Example::", "Use instead::"):
            assert section in rule.doc, (rule.code, section)
        assert rule.code.startswith("RAF") and rule.severity in {"error", "warning", "info"}
