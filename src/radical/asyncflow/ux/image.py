"""SVG/PNG pictures through Graphviz's ``dot`` program, when it is installed."""

from __future__ import annotations

import shutil
import subprocess

FORMATS = ("svg", "png")


class GraphvizMissing(Exception):
    """``dot`` is not on PATH (or failed); the message says what to do."""


def dot_program() -> str | None:
    return shutil.which("dot")


def render_image(dot_text: str, fmt: str, timeout: float = 120) -> bytes:
    """``dot -T<fmt>`` of ``dot_text``; raises GraphvizMissing with a clear message."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    program = dot_program()
    if program is None:
        raise GraphvizMissing(
            f"--{fmt} needs Graphviz's `dot` program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "`raf show --dot` prints the same graph as text")
    try:
        proc = subprocess.run([program, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizMissing(f"`dot -T{fmt}` took longer than {timeout:.0f} s") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()[-500:]
        raise GraphvizMissing(f"`dot -T{fmt}` failed: {detail}")
    return proc.stdout
