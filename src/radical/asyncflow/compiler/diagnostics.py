"""Diagnostics as data: construction from a rule, suppression, strictness, order.

Printing lives in :mod:`.render`, nowhere else.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

from ..ir import Diagnostic, Related, Span
from .rules import get

IGNORE_RE = re.compile(r"#\s*raf:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?")
ALL_CODES = "*"


def make(code: str, span: Span, related: Iterable[Related] = (), **fields: object) -> Diagnostic:
    """A diagnostic for rule ``code`` with its message template filled from ``fields``."""
    rule = get(code)
    return Diagnostic(
        code=rule.code,
        severity=rule.severity,
        message=rule.message.format(**fields),
        span=span,
        hint=rule.hint,
        related=tuple(related),
    )


def ignore_comments(text: str) -> dict[int, set[str]]:
    """``line -> codes`` from ``# raf: ignore[RAF401, RAF601]`` comments (``*`` = all)."""
    found: dict[int, set[str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                _collect(tok.string, tok.start[0], found)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _collect(comment: str, line: int, found: dict[int, set[str]]) -> None:
    for match in IGNORE_RE.finditer(comment):
        codes = match.group("codes")
        names = {c.strip().upper() for c in codes.split(",")} if codes else {ALL_CODES}
        found.setdefault(line, set()).update(n for n in names if n)


def suppress(diags: list[Diagnostic], ignores: dict[int, set[str]]) -> list[Diagnostic]:
    """Drop diagnostics whose first line carries a matching ignore comment."""

    def kept(d: Diagnostic) -> bool:
        codes = ignores.get(d.span.line, set())
        return (d.code not in codes and ALL_CODES not in codes) or d.code.startswith("RAF9")

    return [d for d in diags if kept(d)]


def strict(diags: list[Diagnostic]) -> list[Diagnostic]:
    """``--strict``: what the compiler could not decide (RAF4xx) becomes an error."""
    out = []
    for d in diags:
        if d.code.startswith("RAF4") and d.severity == "warning":
            d = Diagnostic(d.code, "error", d.message, d.span, d.hint, d.related)
        out.append(d)
    return out


def ordered(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by (path, line, col, code, message), exact duplicates removed."""
    unique = {(d.sort_key(), d.severity, d.hint, d.related): d for d in diags}
    return sorted(unique.values(), key=Diagnostic.sort_key)
