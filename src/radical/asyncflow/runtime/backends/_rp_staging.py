"""File arguments in and out of Radical.Pilot task sandboxes (``staging="sandbox"``).

Every RP task runs in its own sandbox directory on the pilot's resource.  In
sandbox mode a task body gets each ``InputFile``/``OutputFile`` as its name
relative to the engine's ``work_dir`` (``FileRef.name``), which is also its
name inside the task's sandbox, and the backend turns the task's files into
RP staging directives (measured on radical.pilot 1.103):

* **An input produced by an earlier task of this pilot** is hard-linked
  (``rp.LINK``, done by the agent next to the sandboxes: ``os.link``) from
  that producer's sandbox: no bytes move, however large the file.  A hard
  link shares the producer's data, so a task that also declares the same
  name as an output (an in-place update) gets a private copy instead
  (``rp.COPY``), as does a task with its own ``sandbox`` (which may be on
  another filesystem, where links fail).  A producer with ``cleanup: True``
  loses its sandbox, so its files come from the engine's copy.  RP's staging
  helper uses ``radical.saga`` when it can import it, and its saga ``link``
  does nothing; where ``radical.saga`` is importable here, copies replace
  links.
* **Any other input** (a plain file, a download, a file made by another
  backend) is copied from the engine's machine (``rp.TRANSFER`` from
  ``file://localhost/<path>``, done by the client).
* **Every output** is copied back (``rp.TRANSFER`` to the client) under a
  temporary name next to its path, ``.<name>.raf-<rp uid>``, and renamed into
  place when the task is ``DONE``.  RP itself does not notice a missing
  output (its copy runs ``cp`` and ignores the exit code), so a missing
  temporary file is how the backend learns the task did not write it: the
  task then fails with ``OutputMissing`` naming the file, and no older file
  at that path is mistaken for the new one.  Copies of a failed or cancelled
  task are never renamed into place.
* Parent directories of outputs are made in the sandbox before the task
  runs (``pre_exec`` for executables, the trampoline for functions).

RP's copies split their command line at spaces (``cp -r SRC DST`` through
``shlex``), so paths with spaces, quotes or other shell characters are
refused before submission with a ``StagingError``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import os
import re
import shlex
from collections.abc import Mapping
from typing import Any

from ...errors import OutputMissing, StagingError
from .base import FileRef, TaskSpec

#: characters RP's staging copies a path through unharmed
_SAFE = re.compile(r"[\w@+=,./-]+\Z")
_PREFIX = "file://localhost"


@dataclasses.dataclass(slots=True)
class Staged:
    """One task's staging: its directives and where its outputs land."""

    input_staging: list[dict[str, Any]]
    output_staging: list[dict[str, Any]]
    dirs: list[str]  # parent directories of outputs, relative to the sandbox
    outputs: list[tuple[str, str, str]]  # (name in sandbox, temporary path, final path)


class Stager:
    """A backend's file bookkeeping (thread-safe enough: single dict operations).

    ``sandboxes`` maps the uid of each DONE task that wrote files to its
    sandbox (later readers link from there); ``orphans`` holds the staging of
    cancelled tasks, whose copies RP may still bring back, until RP reports
    their end or the backend shuts down.
    """

    def __init__(self) -> None:
        self.sandboxes: dict[str, str] = {}
        self.orphans: dict[str, Staged] = {}

    def plan(self, rp: Any, spec: TaskSpec, rp_uid: str) -> Staged | None:
        return plan(rp, spec, rp_uid, self.sandboxes) if spec.inputs or spec.outputs else None

    def done(self, uid: str, task: str, staged: Staged, sandbox: str,
             keep: bool) -> OutputMissing | None:
        """Outputs into place, and remember the sandbox (``keep``: RP does not delete it)."""
        missing = finish(task, staged, sandbox)
        if missing is None and keep:
            self.sandboxes[uid] = sandbox
        return missing

    def orphan(self, rp_uid: str, staged: Staged) -> None:
        if staged.outputs:
            self.orphans[rp_uid] = staged

    def ended(self, rp_uid: str) -> None:
        staged = self.orphans.pop(rp_uid, None)
        if staged is not None:
            discard(staged)

    def close(self) -> None:
        for staged in self.orphans.values():
            discard(staged)
        self.orphans.clear()


def plan(rp: Any, spec: TaskSpec, rp_uid: str, sandboxes: Mapping[str, str]) -> Staged:
    """The directives for ``spec``; ``sandboxes`` maps producer uids to their sandboxes."""
    _check_names(spec)
    if spec.service and spec.outputs:
        raise StagingError(
            f"task '{spec.name}': a service cannot declare OutputFile arguments in sandbox "
            "staging (Radical.Pilot stages outputs when a task ends; a service ends at shutdown)")
    written = {ref.name for ref in spec.outputs}
    may_link = not spec.description.get("sandbox") and _links_work()
    inputs = [_input(rp, ref, sandboxes, may_link and ref.name not in written)
              for ref in spec.inputs]
    outputs = [(ref.name, temporary_path(ref.path, rp_uid), ref.path) for ref in spec.outputs]
    dirs = sorted({os.path.dirname(name) for name, _, _ in outputs} - {""})
    return Staged(
        input_staging=inputs,
        output_staging=[{"source": f"task:///{name}", "target": _PREFIX + tmp,
                         "action": rp.TRANSFER} for name, tmp, _ in outputs],
        dirs=dirs,
        outputs=outputs,
    )


def _input(rp: Any, ref: FileRef, sandboxes: Mapping[str, str], link: bool) -> dict[str, Any]:
    sandbox = sandboxes.get(ref.producer) if ref.producer else None
    target = f"task:///{ref.name}"
    if sandbox is None:
        return {"source": _PREFIX + ref.path, "target": target, "action": rp.TRANSFER}
    return {"source": f"{_PREFIX}{os.path.join(sandbox, ref.name)}", "target": target,
            "action": rp.LINK if link else rp.COPY}


@functools.cache
def _links_work() -> bool:
    return importlib.util.find_spec("radical.saga") is None


def _check_names(spec: TaskSpec) -> None:
    for ref in (*spec.inputs, *spec.outputs):
        for text in (ref.name, ref.path):
            if not _SAFE.match(text):
                raise StagingError(
                    f"task '{spec.name}': Radical.Pilot cannot stage {text!r}: its copies split "
                    "paths at spaces and quotes; use names of letters, digits and ._-+=,@")


def temporary_path(path: str, rp_uid: str) -> str:
    head, tail = os.path.split(path)
    return os.path.join(head, f".{tail}.raf-{rp_uid}")


def mkdir_command(dirs: list[str]) -> str:
    return "mkdir -p -- " + " ".join(shlex.quote(d) for d in dirs)


def finish(task: str, staged: Staged, sandbox: str | None) -> OutputMissing | None:
    """Rename the copied-back outputs into place, or report the missing ones."""
    missing = [name for name, tmp, _ in staged.outputs if not os.path.exists(tmp)]
    if missing:
        discard(staged)
        where = f" ({sandbox})" if sandbox else ""
        return OutputMissing(
            f"task '{task}' finished but did not create its declared output(s) in its "
            f"Radical.Pilot task sandbox{where}: {', '.join(missing)}")
    for _, tmp, final in staged.outputs:
        os.replace(tmp, final)
    return None


def discard(staged: Staged) -> None:
    for _, tmp, _ in staged.outputs:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def input_failure(task: str, rp_task: Any) -> StagingError | None:
    """A StagingError when RP failed the task while staging its inputs in."""
    detail = str(rp_task.exception_detail or "")
    if rp_task.exit_code is not None or "staging_input" not in detail:
        return None
    last = detail.strip().splitlines()[-1] if detail.strip() else ""
    return StagingError(
        f"task '{task}': Radical.Pilot could not stage its input file(s) into its sandbox: "
        f"{rp_task.exception}" + (f"\n{last}" if last else ""))


def sandbox_path(pilot_sandbox: str, rp_uid: str, sandbox: str | None) -> str:
    """Where RP puts a task's sandbox (``Session._get_task_sandbox``'s rule)."""
    if sandbox and os.path.isabs(sandbox):
        return sandbox
    return os.path.join(pilot_sandbox, sandbox or rp_uid)
