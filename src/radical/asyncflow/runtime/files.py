"""Files between tasks: producers by name, paths, downloads, output checks.

One :class:`FileTable` per engine.  The driver asks it for work only when a
file object exists in the process at all (:func:`..data.files_in_use`), so a
workflow without files pays one boolean test per task.

* :meth:`FileTable.link` (at registration) finds the ``InputFile`` and
  ``OutputFile`` objects in a task's arguments, adds the futures of the
  latest producers of its inputs to its dependencies, makes the task the
  producer of its outputs, and keeps a :class:`FileSet` for it until the task
  is final.  The producer table is keyed by absolute path, so
  ``InputFile("x")`` and ``InputFile("<work_dir>/x")`` name the same file.
* At launch the file objects in the (resolved) arguments are replaced by
  their paths, parent directories of outputs are made, plain inputs must
  exist, and URL inputs are downloaded (:func:`stage`, in a thread).
* After success every output must exist (:func:`missing_outputs`); after a
  failure, outputs written during the failed attempt are removed
  (:func:`remove_partial`) so that no half-written file looks finished.

Paths are those of the machine the engine runs on: backends that run tasks
elsewhere must share that filesystem (Dask here) or stage the files.  A
backend with ``stages_files`` gets each file as a :class:`FileRef` in its
``TaskSpec`` (:meth:`FileTable.refs`), and the body gets the file's name
relative to ``work_dir`` (:func:`relative_name`) instead of its path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from ..data import InputFile, OutputFile, _FileArg
from ..errors import OutputMissing, StagingError
from .backends.base import FileRef

FETCH_TIMEOUT = 60.0
_CONTAINERS = (list, tuple, dict, set, frozenset)


@dataclasses.dataclass(slots=True)
class FileSet:
    """The file arguments of one task and their absolute paths."""

    paths: dict[_FileArg, str]
    inputs: list[InputFile]
    outputs: list[OutputFile]
    started: float = 0.0  # wall-clock start of the current attempt
    producers: dict[_FileArg, str] = dataclasses.field(default_factory=dict)  # input -> uid

    @property
    def downloads(self) -> list[InputFile]:
        return [f for f in self.inputs if f.url is not None]


class FileTable:
    """Per-engine: who produces which file, and the file sets of live tasks."""

    def __init__(self, work_dir: str) -> None:
        self.work_dir = work_dir
        self.producers: dict[str, Any] = {}  # absolute path -> TaskFuture
        self.sets: dict[str, FileSet] = {}  # uid -> FileSet, until the task is final

    def path(self, ref: _FileArg) -> str:
        return os.path.normpath(os.path.join(self.work_dir, ref.name))

    def link(self, uid: str, future: Any, args: Any, kwargs: Any, found: list[Any]) -> list[Any]:
        """Record the task's files; ``found`` plus the producers of its inputs."""
        refs = collect(args, kwargs)
        if not refs:
            return found
        fs = FileSet({r: self.path(r) for r in refs}, [], [])
        extra: list[Any] = []
        for ref in refs:
            if isinstance(ref, InputFile):
                fs.inputs.append(ref)
                producer = self.producers.get(fs.paths[ref]) if ref.url is None else None
                if producer is None:
                    continue
                fs.producers[ref] = producer.uid
                if producer not in found and producer not in extra:
                    extra.append(producer)
        for ref in refs:
            if isinstance(ref, OutputFile):
                fs.outputs.append(ref)
                self.producers[fs.paths[ref]] = future
        self.sets[uid] = fs
        return [*found, *extra] if extra else found

    def names(self, fs: FileSet) -> dict[_FileArg, str]:
        """What a staging backend's task body gets for each file: its relative name."""
        return {ref: relative_name(path, self.work_dir) for ref, path in fs.paths.items()}

    def refs(self, fs: FileSet) -> tuple[tuple[FileRef, ...], tuple[FileRef, ...]]:
        """The task's inputs and outputs as the backend sees them (``TaskSpec``)."""
        def ref(f: _FileArg) -> FileRef:
            path = fs.paths[f]
            return FileRef(path, relative_name(path, self.work_dir), fs.producers.get(f))

        return tuple(map(ref, fs.inputs)), tuple(map(ref, fs.outputs))


def relative_name(path: str, work_dir: str) -> str:
    """``path`` relative to ``work_dir``; ``_root/<path>`` when it lies outside."""
    rel = os.path.relpath(path, work_dir)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return "_root" + path
    return rel


def collect(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[_FileArg]:
    """Every distinct file object in the arguments (same containers as futures)."""
    found: dict[_FileArg, None] = {}
    seen: set[int] = set()
    stack: list[Any] = [*kwargs.values(), *reversed(args)]
    while stack:
        obj = stack.pop()
        if isinstance(obj, _FileArg):
            found.setdefault(obj)
        elif isinstance(obj, _CONTAINERS) and id(obj) not in seen:
            seen.add(id(obj))
            stack.extend(obj.values() if isinstance(obj, dict) else obj)
    return list(found)


def substitute(obj: Any, paths: dict[_FileArg, str]) -> Any:
    """``obj`` with every file object replaced by its path (a ``str``)."""
    return _replace(obj, lambda o: paths.get(o, o) if isinstance(o, _FileArg) else o)


def _replace(obj: Any, leaf: Callable[[Any], Any]) -> Any:
    if not isinstance(obj, _CONTAINERS):
        return leaf(obj)
    if isinstance(obj, dict):
        return type(obj)({k: _replace(v, leaf) for k, v in obj.items()})
    items = [_replace(item, leaf) for item in obj]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # named tuple
        return type(obj)(*items)
    return type(obj)(items)


def substitute_call(
    args: tuple[Any, ...], kwargs: dict[str, Any], paths: dict[_FileArg, str]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (
        tuple(substitute(a, paths) for a in args),
        {k: substitute(v, paths) for k, v in kwargs.items()},
    )


# -- staging (before a task runs) ---------------------------------------------------
def prepare(task: str, fs: FileSet) -> None:
    """Make output directories and check plain inputs exist. Cheap: a few stats."""
    fs.started = time.time()
    for out in fs.outputs:
        os.makedirs(os.path.dirname(fs.paths[out]) or ".", exist_ok=True)
    for ref in fs.inputs:
        if ref.url is None and not os.path.exists(fs.paths[ref]):
            raise StagingError(
                f"task '{task}': input file {fs.paths[ref]!r} does not exist "
                f"(no earlier task declares OutputFile({ref.name!r}))"
            )


def stage(task: str, fs: FileSet, timeout: float = FETCH_TIMEOUT) -> None:
    """Download the URL inputs (blocking: run it in a thread)."""
    for ref in fs.downloads:
        fetch(task, ref.url, fs.paths[ref], timeout)  # type: ignore[arg-type]


def fetch(task: str, url: str, dest: str, timeout: float = FETCH_TIMEOUT) -> None:
    """Download ``url`` to ``dest`` atomically, or raise StagingError naming the URL."""
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    part = f"{dest}.part-{os.getpid()}-{time.monotonic_ns()}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(part, dest)
    except (OSError, ValueError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        reason: object = exc
        if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
            reason = exc.reason
        raise StagingError(f"task '{task}': could not download {url}: {reason}") from None


# -- after a task ------------------------------------------------------------------
def missing_outputs(task: str, fs: FileSet) -> OutputMissing | None:
    missing = [fs.paths[o] for o in fs.outputs if not os.path.exists(fs.paths[o])]
    if not missing:
        return None
    return OutputMissing(
        f"task '{task}' finished but did not create its declared output(s): " + ", ".join(missing)
    )


def remove_partial(fs: FileSet) -> None:
    """Remove declared outputs written since the failed attempt started."""
    for out in fs.outputs:
        path = fs.paths[out]
        with contextlib.suppress(OSError):
            if fs.started and os.stat(path).st_mtime >= fs.started - 0.05:
                os.unlink(path)
