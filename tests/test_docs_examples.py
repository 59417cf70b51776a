"""Every Python code block in the README and docs/ runs, as a user would paste it.

A block preceded by ``<!-- compile-only -->`` (a fragment, or one that needs a
cluster address) is compiled instead of run.  ``docs/diagnostics.md`` holds the
rules' examples of *wrong* code; the compiler's own tests check those.
"""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md")
                                     if p.name != "diagnostics.md")]
BLOCK = re.compile(r"(<!-- compile-only -->\s*)?```python\n(.*?)```", re.S)


def _blocks():
    for doc in DOCS:
        for i, (marker, code) in enumerate(BLOCK.findall(doc.read_text())):
            yield pytest.param(code, bool(marker), id=f"{doc.name}#{i}")


@pytest.mark.parametrize(("code", "compile_only"), list(_blocks()))
def test_code_block_runs(code, compile_only, tmp_path):
    if compile_only:
        compile(code, "<doc>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        return
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make demo", "make test"]
    assert text.index("make demo") < 400
