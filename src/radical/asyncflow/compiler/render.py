"""The one place diagnostics are printed: text (with caret excerpt), JSON, GitHub.

Every renderer takes diagnostics (data) and returns text; nothing else in the
compiler formats a diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ir import Diagnostic, diagnostics_to_json, dumps

MAX_SHOWN = 100


def _display_col(line: str, col: int) -> int:
    """1-based column after tab expansion (tabs to multiples of 8)."""
    return len(line[: max(col - 1, 0)].expandtabs(8)) + 1


def excerpt(d: Diagnostic, lines: Sequence[str] | None) -> list[str]:
    if not lines or not 0 < d.span.line <= len(lines):
        return []
    raw = lines[d.span.line - 1]
    text = raw.expandtabs(8)
    start = _display_col(raw, d.span.col)
    if d.span.end_line == d.span.line and d.span.end_col > d.span.col:
        end = _display_col(raw, d.span.end_col)
    else:
        end = len(text.rstrip()) + 1
    width = max(end - start, 1)
    gutter = f"{d.span.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (start - 1) + "^" * width
    return [gutter + text.rstrip(), caret]


def text_one(d: Diagnostic, lines: Sequence[str] | None = None) -> str:
    out = [f"{d.span.path}:{d.span.line}:{d.span.col}: {d.severity} {d.code} {d.message}"]
    out.extend(excerpt(d, lines))
    for rel in d.related:
        out.append(f"  note: {rel.span.path}:{rel.span.line}:{rel.span.col}: {rel.message}")
    if d.hint:
        out.append(f"  hint: {d.hint}")
    return "\n".join(out)


def render_text(diags: Sequence[Diagnostic],
                lines_of: Callable[[str], Sequence[str] | None] = lambda p: None) -> str:
    shown = [text_one(d, lines_of(d.span.path)) for d in diags[:MAX_SHOWN]]
    if len(diags) > MAX_SHOWN:
        shown.append(f"... and {len(diags) - MAX_SHOWN} more")
    shown.append(summary_line(diags))
    return "\n".join(shown) + "\n"


def summary_line(diags: Sequence[Diagnostic]) -> str:
    counts = {s: sum(d.severity == s for d in diags) for s in ("error", "warning", "info")}
    if not any(counts.values()):
        return "no problems found"
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return ", ".join(parts)


def render_json(diags: Sequence[Diagnostic]) -> str:
    return dumps(diagnostics_to_json(list(diags)))


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: Sequence[Diagnostic]) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    rows = []
    for d in diags:
        s = d.span
        props = (f"file={_gh_escape(s.path, True)},line={s.line},col={s.col},"
                 f"endLine={s.end_line},endColumn={s.end_col},title={d.code}")
        rows.append(f"::{level[d.severity]} {props}::{_gh_escape(d.message + ' — ' + d.hint)}")
    return "\n".join(rows) + ("\n" if rows else "")


def render(diags: Sequence[Diagnostic], fmt: str,
           lines_of: Callable[[str], Sequence[str] | None] = lambda p: None) -> str:
    if fmt == "json":
        return render_json(diags)
    if fmt == "github":
        return render_github(diags)
    return render_text(diags, lines_of)


__all__ = ["render", "render_github", "render_json", "render_text", "text_one"]
