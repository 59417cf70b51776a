"""Translating between our task specs and Radical.Pilot task descriptions.

* :data:`TASK_KEYS` is what a ``task_description`` may hold: RP's own
  ``TaskDescription`` fields, minus those the backend sets itself (``uid``,
  ``mode``, ``executable``, ``arguments``, ``function``...).
* Commands keep their bash quoting.  RP writes ``arguments`` into its launch
  script in *double* quotes, so ``$x`` and backticks would expand there, in
  the wrong shell; a command with shell syntax therefore becomes the
  ``executable`` ``bash -c '<command>'`` with no arguments, which RP copies
  verbatim.  A plain ``prog arg...`` command runs directly (no extra bash).
* :class:`Capacity` checks a task against the pilot before RP sees it, so a
  task that can never be placed fails at once with a message naming the
  numbers, instead of RP's ``task can never be scheduled``.
* Service tasks (:mod:`._rp_services`) and staged files (:mod:`._rp_staging`)
  add their fields here, after the user's ``task_description``: our
  ``pre_exec`` lines and staging directives go around the user's own.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import urllib.parse
from collections.abc import Mapping
from typing import Any

from ...errors import BackendLost, ExecutableError, TaskDescriptionError, TaskError
from ..process import BASH, STDERR_TAIL, direct_argv
from ..results import CommandOutput
from ..services import READY_KEY
from . import _rp_call, _rp_services, _rp_staging
from ._rp_services import Starting
from ._rp_staging import Staged
from .base import TaskSpec

#: ``task_description`` keys passed to ``rp.TaskDescription`` (radical.pilot 1.103)
TASK_KEYS = frozenset({
    "name", "sandbox", "environment", "named_env", "pre_launch", "pre_exec", "pre_exec_sync",
    "post_launch", "post_exec", "stdout", "stderr", "input_staging", "output_staging",
    "stage_on_error", "priority", "use_mpi", "ranks", "ranks_per_node", "cores_per_rank",
    "gpus_per_rank", "threading_type", "gpu_type", "lfs_per_rank", "mem_per_rank", "partition",
    "restartable", "tags", "metadata", "services", "timeout", "startup_timeout", "cleanup",
    "info_pattern", READY_KEY,
    # deprecated RP spellings, still converted by RP itself
    "cpu_processes", "cpu_process_type", "cpu_threads", "cpu_thread_type", "gpu_processes",
    "gpu_process_type", "gpu_threads", "gpu_thread_type", "lfs_per_process", "mem_per_process",
})
_SHORTENED = "[... CONTENT SHORTENED ...]"
_PILOT_DIED = "pilot died"


@dataclasses.dataclass(slots=True)
class Flight:
    """One task handed to RP: our uid, RP's uid and what we need to report it."""

    uid: str
    rp_uid: str
    name: str
    kind: str
    command: str | None
    td: Any
    staged: Staged | None = None  # files moved in and out (staging="sandbox")
    service: Starting | None = None  # a service until its ready line was seen


def command_fields(command: str, portable: bool = False) -> dict[str, Any]:
    """``executable``/``arguments`` for ``command``.

    ``portable`` (plans, compiled on one machine and run on another): never
    resolve programs on this host; always ``bash -c '<command>'`` with ``bash``
    found on the compute node's ``PATH``.
    """
    argv = None if portable else direct_argv(command)
    if argv is not None:
        return {"executable": argv[0], "arguments": argv[1:]}
    bash = "bash" if portable else BASH
    return {"executable": f"{bash} -c {shlex.quote(command)}", "arguments": []}


def build_description(rp: Any, spec: TaskSpec, rp_uid: str, staged: Staged | None = None) -> Any:
    """The ``rp.TaskDescription`` for ``spec``; TaskDescriptionError if RP rejects it."""
    fields: dict[str, Any] = {"uid": rp_uid, "name": spec.name}
    fields.update((k, v) for k, v in spec.description.items() if k != READY_KEY)
    pre_exec = list(fields.get("pre_exec") or ())
    if staged is not None:
        for key in ("input_staging", "output_staging"):
            fields[key] = [*getattr(staged, key), *(fields.get(key) or ())]
        if staged.dirs and spec.kind == "executable":
            pre_exec.insert(0, _rp_staging.mkdir_command(staged.dirs))
    dirs = staged.dirs if staged is not None else []
    if spec.kind == "executable":
        assert spec.command is not None
        if spec.service:
            fields["mode"] = rp.TASK_SERVICE
            fields.update(_rp_services.fields(spec.command, rp_uid, pre_exec))
        else:
            fields["mode"] = rp.TASK_EXECUTABLE
            fields.update(command_fields(spec.command))
            fields["pre_exec"] = pre_exec
    else:
        call = (spec.function, spec.args, spec.kwargs, spec.is_async, *([dirs] if dirs else []))
        fields["mode"] = rp.TASK_FUNCTION
        fields["function"] = rp.pythontask(_rp_call.call)(_rp_call.encode(call))
    try:
        td = rp.TaskDescription(fields)
        td.verify()
    except Exception as exc:  # RP's TDKeyError / TDTypeError / ValueError
        raise TaskDescriptionError(
            f"task '{spec.name}': Radical.Pilot rejects its task_description: {exc}") from None
    return td


@dataclasses.dataclass(frozen=True, slots=True)
class Capacity:
    """What one pilot offers, from ``pilot.resource_details`` once it is active."""

    resource: str
    nodes: int
    cores_per_node: int
    gpus_per_node: int

    @classmethod
    def from_details(cls, resource: str, details: Mapping[str, Any] | None) -> Capacity | None:
        if not details or not details.get("cores_per_node"):
            return None
        nodes = len(details.get("node_list") or ()) or int(details.get("requested_nodes") or 1)
        return cls(resource, nodes, int(details["cores_per_node"]),
                   int(details.get("gpus_per_node") or 0))

    def check(self, name: str, td: Any) -> None:
        """Raise TaskDescriptionError if ``td`` can never be placed on this pilot."""
        ranks, cpr, gpr = int(td.ranks or 1), int(td.cores_per_rank or 1), td.gpus_per_rank or 0
        mpi = td.use_mpi if td.use_mpi is not None else ranks > 1
        problems = []
        if cpr > self.cores_per_node:
            problems.append(f"one rank needs {cpr} cores (cores_per_rank) but a node has "
                            f"{self.cores_per_node}")
        elif ranks * cpr > self.nodes * self.cores_per_node:
            problems.append(f"it needs {ranks * cpr} cores (ranks x cores_per_rank) but the pilot "
                            f"has {self.nodes * self.cores_per_node} ({self.nodes} node(s) x "
                            f"{self.cores_per_node})")
        elif not mpi and ranks * cpr > self.cores_per_node:
            problems.append(f"a non-MPI task must fit one node: it needs {ranks * cpr} cores, a "
                            f"node has {self.cores_per_node}")
        if gpr > self.gpus_per_node or ranks * gpr > self.nodes * self.gpus_per_node:
            problems.append(f"it needs {ranks * gpr:g} GPUs ({gpr:g} per rank) but the pilot has "
                            f"{self.gpus_per_node} per node on {self.nodes} node(s)")
        if problems:
            raise TaskDescriptionError(
                f"task '{name}' can never run on pilot resource {self.resource!r}: "
                + "; ".join(problems))


def outcome(flight: Flight, task: Any, state: str) -> tuple[bool, Any]:
    """``(True, value)`` or ``(False, exception)`` for a task RP reports final."""
    if state == "DONE":
        if flight.kind == "executable":
            return True, CommandOutput(full_stdout(task))
        return _function_value(flight, task)
    if _PILOT_DIED in str(task.exception or ""):
        return False, BackendLost(f"task '{flight.name}': its Radical.Pilot pilot "
                                  f"({task.pilot or 'unknown'}) ended under it")
    staging = _rp_staging.input_failure(flight.name, task) if flight.staged else None
    if staging is not None:
        return False, staging
    if flight.kind == "executable" and task.exit_code is not None:
        stderr = (task.stderr or "")[-STDERR_TAIL:]
        return False, ExecutableError(flight.name, flight.command or "", task.exit_code, stderr)
    detail = task.exception or (task.stderr or "").strip()[-STDERR_TAIL:] or "no detail given"
    return False, TaskError(
        f"task '{flight.name}' ({flight.rp_uid}) failed in Radical.Pilot before or while "
        f"running: {detail}")


def _function_value(flight: Flight, task: Any) -> tuple[bool, Any]:
    value = task.return_value
    if not isinstance(value, str):
        return False, TaskError(f"function task '{flight.name}' ({flight.rp_uid}) returned no "
                                f"result from its RAPTOR worker: {value!r}")
    ok, result = _rp_call.decode(value)
    return bool(ok), result


def full_stdout(task: Any) -> str:
    """RP keeps only the last KiB of stdout; read the whole file when it is reachable."""
    text = task.stdout or ""
    if not text.startswith(_SHORTENED):
        return text
    name = task.description.get("stdout") or f"{task.uid}.out"
    sandbox = urllib.parse.urlparse(str(task.task_sandbox or "")).path
    path = name if os.path.isabs(name) else os.path.join(sandbox, name)
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except OSError:
        return text
