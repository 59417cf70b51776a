"""Safe loading: regular file, size cap, decoding, and the ``ast.parse`` gate.

Nothing here imports or executes the module.  The order matters:

1. ``stat`` the path and refuse anything but a regular file (a FIFO or
   ``/dev/zero`` would block or never end), then open it non-blocking;
2. refuse files over the byte/line caps before parsing (``ast.parse`` needs
   20 s and 2.4 GB for a million statements, libcst far more);
3. decode with the PEP 263 cookie, refusing NUL bytes;
4. ``ast.parse``: CPython rejects hostile nesting cleanly, so input it refuses
   never reaches libcst (which can segfault on it).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import io
import os
import re
import stat
import tokenize
import warnings

from ..ir import Diagnostic, Span
from .diagnostics import make

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 50_000


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_lines: int = MAX_LINES
    max_nodes: int = 100_000


class LoadError(Exception):
    """Loading failed; ``diagnostic`` says why (a blocker)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """A decoded module and its ``ast``; spans are computed from here."""

    path: str
    text: str
    digest: str
    tree: ast.Module
    lines: tuple[str, ...]

    def char_col(self, line: int, byte_col: int) -> int:
        """0-based character column of a UTF-8 byte offset on 1-based ``line``."""
        if not 0 < line <= len(self.lines):
            return byte_col
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self.char_col(line, getattr(node, "col_offset", 0))
        end_col = self.char_col(end_line, getattr(node, "end_col_offset", None) or 0)
        return Span(self.path, line, col + 1, end_line, end_col + 1)

    def segment(self, node: ast.AST) -> str:
        """Source text of ``node`` (like ``ast.get_source_segment``, without re-splitting)."""
        try:
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return "<expression>"
        if last is None or end is None or not 0 <= first <= last < len(self.lines):
            return "<expression>"
        rows = [line.encode("utf-8") for line in self.lines[first : last + 1]]
        rows[-1] = rows[-1][:end]
        rows[0] = rows[0][start:]
        return b"\n".join(rows).decode("utf-8", "replace")


def display_path(path: str) -> str:
    """The path as shown in output: relative to the cwd when inside it, POSIX style."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def file_span(path: str, line: int = 1, col: int = 1) -> Span:
    return Span(path, line, col, line, col)


def read_bytes(path: str, shown: str, limits: Limits) -> bytes:
    """The file's bytes, or LoadError (RAF104 / RAF103)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise LoadError(make("RAF104", file_span(shown), path=shown, detail=exc.strerror)) from None
    if not stat.S_ISREG(info.st_mode):
        what = _file_kind(info.st_mode)
        raise LoadError(make("RAF104", file_span(shown), path=shown, detail=f"it is {what}"))
    if info.st_size > limits.max_bytes:
        detail = f"{info.st_size:,} bytes is over the cap of {limits.max_bytes:,}"
        raise LoadError(make("RAF103", file_span(shown), detail=detail))
    return _read_regular(path, shown, limits)


def _read_regular(path: str, shown: str, limits: Limits) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LoadError(make("RAF104", file_span(shown), path=shown, detail=exc.strerror)) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise LoadError(make("RAF104", file_span(shown), path=shown, detail="it changed"))
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        detail = f"more than {limits.max_bytes:,} bytes"
        raise LoadError(make("RAF103", file_span(shown), detail=detail))
    return data


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def decode(data: bytes, shown: str) -> str:
    """Text of the module per PEP 263, or LoadError (RAF102)."""
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        detail = "the file contains NUL bytes"
        raise LoadError(make("RAF102", file_span(shown, line), detail=detail))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError) as exc:
        raise LoadError(make("RAF102", file_span(shown), detail=str(exc))) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        detail = f"invalid {exc.encoding} at byte {exc.start}"
        raise LoadError(make("RAF102", file_span(shown, line), detail=detail)) from None


def parse_gate(text: str, shown: str, limits: Limits) -> ast.Module:
    """``ast.parse`` with every failure mode turned into a blocker diagnostic."""
    lines = text.count("\n") + 1
    if lines > limits.max_lines:
        detail = f"{lines:,} lines is over the cap of {limits.max_lines:,}"
        raise LoadError(make("RAF103", file_span(shown), detail=detail))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=shown)
    except SyntaxError as exc:
        raise LoadError(_syntax_diagnostic(exc, shown)) from None
    except (RecursionError, MemoryError) as exc:
        detail = "nesting exceeds the parser's limits" + (f" ({exc})" if str(exc) else "")
        raise LoadError(make("RAF103", file_span(shown), detail=detail)) from None


def _syntax_diagnostic(exc: SyntaxError, shown: str) -> Diagnostic:
    line = exc.lineno or 1
    col = max(exc.offset or 1, 1)
    span = file_span(shown, line, col)
    message = exc.msg or "invalid syntax"
    if "too many nested" in message or "too many levels" in message:
        return make("RAF103", span, detail=message)
    return make("RAF101", span, detail=message)


def load(path: str, limits: Limits, data: bytes | None = None) -> Source:
    """Read, decode and parse ``path``; raise LoadError with a blocker diagnostic.

    ``data`` given: use it as the file's content (an old git revision of ``path``),
    under the same byte cap, without touching the file system.
    """
    shown = display_path(path)
    if data is None:
        data = read_bytes(path, shown, limits)
    elif len(data) > limits.max_bytes:
        detail = f"{len(data):,} bytes is over the cap of {limits.max_bytes:,}"
        raise LoadError(make("RAF103", file_span(shown), detail=detail))
    text = decode(data, shown)
    tree = parse_gate(text, shown, limits)
    digest = hashlib.sha256(data).hexdigest()
    return Source(shown, text, digest, tree, tuple(_LINE_BREAK.split(text)))
