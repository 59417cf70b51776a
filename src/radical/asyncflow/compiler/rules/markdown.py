"""Generate ``docs/diagnostics.md`` from the rule docstrings.

    python -m radical.asyncflow.compiler.rules.markdown > docs/diagnostics.md
"""

from __future__ import annotations

from . import RULES

FAMILIES = {
    "RAF1": "Loading and syntax", "RAF2": "Discovery and task definitions", "RAF3": "Graph",
    "RAF4": "Dynamic regions (what the compiler cannot decide)", "RAF5": "Resources",
    "RAF6": "Determinism", "RAF7": "Plans (raf compile -o)", "RAF9": "Internal",
}


def diagnostics_markdown() -> str:
    out = ["# Diagnostic codes", "",
           "Generated from the rule docstrings in `src/radical/asyncflow/compiler/rules/` "
           "(`raf explain CODE` prints the same text). Do not edit by hand.", "",
           "Suppress one finding with a comment on its line: `# raf: ignore[RAF401]` "
           "(or `# raf: ignore` for all). `--strict` turns RAF4xx warnings into errors.", "",
           "| code | name | severity |", "|---|---|---|"]
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} |" for r in RULES.values()]
    family = ""
    for rule in RULES.values():
        if rule.code[:4] != family:
            family = rule.code[:4]
            out += ["", f"## {family}xx: {FAMILIES[family]}"]
        body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
        out += ["", f"### {rule.code}", "", f"**{rule.name}** ({rule.severity}). "
                f"Message: `{rule.message}`", "", _markdown(body), "", f"Hint: {rule.hint}"]
    return "\n".join(out) + "\n"


def _markdown(body: str) -> str:
    """Docstring sections -> markdown: ``Example::`` blocks become fenced code."""
    out: list[str] = []
    code: list[str] | None = None
    for line in body.splitlines():
        if code is not None and line and not line.startswith("    "):
            out += ["```python", *_trim(code), "```", ""]
            code = None
        if line.endswith("::"):
            out += [f"**{line[:-2]}**", ""]
            code = []
        elif code is not None:
            code.append(line[4:])
        elif line.endswith(":") and not line.startswith(" "):
            out.append(f"**{line[:-1]}**")
        else:
            out.append(line.strip())
    if code is not None:
        out += ["```python", *_trim(code), "```"]
    return "\n".join(out)


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


if __name__ == "__main__":
    print(diagnostics_markdown(), end="")
