"""Files as task arguments: ``InputFile(path_or_url)`` and ``OutputFile(name)``.

Pass them like any other argument::

    @flow.executable_task
    def simulate(out):
        return f"seq 1 100 > {out}"

    @flow.executable_task
    def analyse(inp):
        return f"wc -l < {inp}"

    simulate(OutputFile("traj.dat"))
    analyse(InputFile("traj.dat"))   # runs after simulate: a file edge, no future

* A task that declares ``OutputFile("x")`` is the producer of ``x``; a later
  task with ``InputFile("x")`` depends on it, exactly as if it had received the
  producer's future.  The latest declaration of a name wins.
* The body receives **paths** (``str``): ``OutputFile(name)`` and relative
  ``InputFile`` paths become ``<work_dir>/<name>``, absolute paths stay as
  they are.  ``work_dir`` is ``WorkflowEngine(work_dir=...)``, default the
  current directory when the engine is created.
* An ``InputFile`` whose argument is a URL (``http``, ``https``, ``ftp``,
  ``file``) is downloaded when the task runs, never when the object is
  built; a failed download fails that task with :class:`StagingError`.
* After the task, every declared output must exist, else the task fails with
  :class:`OutputMissing` naming the file(s).

See ``docs/files-and-services.md`` for the full rules.  The classes are plain
value objects: building one touches neither the filesystem nor the network.
"""

from __future__ import annotations

import os
import posixpath
import urllib.parse
from typing import Any

#: URL schemes an ``InputFile`` downloads when its task runs
URL_SCHEMES = frozenset({"http", "https", "ftp", "file"})

#: becomes True when the first file object of the process is built; until then
#: the engine does not look for file objects in task arguments at all
_in_use = False


def files_in_use() -> bool:
    return _in_use


def _mark_used() -> None:
    global _in_use
    _in_use = True


class _FileArg:
    __slots__ = ("name",)
    name: str

    def _key(self) -> tuple[str, str, str | None]:
        return (type(self).__name__, self.name, getattr(self, "url", None))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FileArg) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name,))


class InputFile(_FileArg):
    """A file a task reads: a path, the name of another task's output, or a URL.

    ``name=`` sets the local file name of a download (default: the last part
    of the URL's path).
    """

    __slots__ = ("url",)

    def __init__(self, path_or_url: str | os.PathLike[str], *, name: str | None = None) -> None:
        text = os.fspath(path_or_url)
        if not isinstance(text, str) or not text:
            raise ValueError(f"InputFile needs a non-empty path or URL, got {path_or_url!r}")
        scheme = urllib.parse.urlsplit(text).scheme.lower()
        self.url: str | None = text if scheme in URL_SCHEMES else None
        self.name = name or (_url_name(text) if self.url else text)
        _mark_used()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_input, (self.url or self.name, self.name))

    def __repr__(self) -> str:
        return f"InputFile({self.url or self.name!r})"


class OutputFile(_FileArg):
    """A file a task promises to create, relative to the engine's ``work_dir``."""

    __slots__ = ()

    def __init__(self, name: str | os.PathLike[str]) -> None:
        text = os.fspath(name)
        if not isinstance(text, str) or not text or text.endswith(("/", os.sep)):
            raise ValueError(f"OutputFile needs a file name, got {name!r}")
        self.name = text
        _mark_used()

    def __repr__(self) -> str:
        return f"OutputFile({self.name!r})"


def _url_name(url: str) -> str:
    path = urllib.parse.urlsplit(url).path
    return posixpath.basename(path.rstrip("/")) or "download"


def _rebuild_input(source: str, name: str) -> InputFile:
    return InputFile(source, name=name)


__all__ = ["URL_SCHEMES", "InputFile", "OutputFile", "files_in_use"]
