"""Target machines for the RAF5xx resource checks and for pilot sizing, read as data.

Two sources, neither of which imports anything:

* Radical.Pilot's own resource catalogue, ``radical/pilot/configs/resource_<site>.json``
  (JSON with ``#`` comment lines), found by looking for that directory under
  each ``sys.path`` entry.  The label ``<site>.<entry>`` (``tacc.frontera``)
  names an entry; its ``cores_per_node``, ``gpus_per_node``, ``mem_per_node``
  (MB) and ``launch_methods`` are what the checks use.  RP is never imported.
* A machine file the user passes (``--machine FILE.json``): ``{"name": ...,
  "cores_per_node": 56, "gpus_per_node": 0, "nodes": 8, "mem_per_node": 192000,
  "mpi": true}``; only ``cores_per_node`` is required.

:func:`resolve_target` picks the target of a compile: the machine file, else
``--resource``, else the ``resource`` of the module's
``RadicalExecutionBackend({...})`` literal.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..ir import PilotDecl

CONFIG_SUBDIR = os.path.join("radical", "pilot", "configs")
#: RP launch methods that cannot start a multi-rank (MPI) task
NON_MPI_LAUNCHERS = frozenset({"FORK", "SSH", "POPEN", "RSH"})


class MachineError(ValueError):
    """A machine file that cannot be used; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class Machine:
    """What one node offers, and how many nodes there are (None: not known)."""

    label: str
    cores_per_node: int
    gpus_per_node: int = 0
    mem_per_node: int | None = None  # MB, as RP counts mem_per_rank
    nodes: int | None = None
    mpi: bool = True
    local: bool = False  # RP's local.* resources: one (fake) node whatever is asked

    def pilot_nodes(self, pilot: Mapping[str, Any]) -> int | None:
        """Nodes a ``PilotDescription`` gets here (RP rounds cores up to whole nodes)."""
        if self.local:
            return 1
        nodes, cores, gpus = (_count(pilot.get(k)) for k in ("nodes", "cores", "gpus"))
        if nodes:
            return nodes
        need = [math.ceil(cores / self.cores_per_node)] if cores else []
        if gpus and self.gpus_per_node:
            need.append(math.ceil(gpus / self.gpus_per_node))
        return max(need) if need else None


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """A resolved target: the machine, the pilot the module asks for, where it came from."""

    machine: Machine | None
    label: str
    pilot: Mapping[str, Any]
    decl: PilotDecl | None  # the module's backend literal, when the label came from it
    unknown: bool = False  # a label RP's catalogue does not have

    def suggestion(self) -> str:
        close = difflib.get_close_matches(self.label, list(catalogue()), n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""


def config_dirs(paths: Sequence[str] | None = None) -> list[str]:
    found = []
    for entry in sys.path if paths is None else paths:
        candidate = os.path.join(entry or ".", CONFIG_SUBDIR)
        if os.path.isdir(candidate) and candidate not in found:
            found.append(candidate)
    return found


@functools.lru_cache(maxsize=4)
def catalogue(dirs: tuple[str, ...] | None = None) -> dict[str, Machine]:
    """Every label of RP's resource configuration files (empty when RP is not installed)."""
    machines: dict[str, Machine] = {}
    for directory in dirs if dirs is not None else tuple(config_dirs()[:1]):
        for name in sorted(os.listdir(directory)):
            if name.startswith("resource_") and name.endswith(".json"):
                site = name[len("resource_"):-len(".json")]
                machines.update(_site(site, os.path.join(directory, name)))
    return machines


def _site(site: str, path: str) -> dict[str, Machine]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = "\n".join(line for line in handle if not line.lstrip().startswith("#"))
        entries = json.loads(text)
    except (OSError, ValueError):
        return {}
    out = {}
    for key, entry in entries.items():
        if isinstance(entry, dict) and _count(entry.get("cores_per_node")):
            out[f"{site}.{key}"] = _from_config(f"{site}.{key}", entry)
    return out


def _from_config(label: str, entry: Mapping[str, Any]) -> Machine:
    methods = entry.get("launch_methods") or {}
    names = {m for m in methods.get("order", methods) if m != "order"} if \
        isinstance(methods, dict) else set()
    return Machine(label=label, cores_per_node=int(entry["cores_per_node"]),
                   gpus_per_node=_count(entry.get("gpus_per_node")),
                   mem_per_node=_count(entry.get("mem_per_node")) or None,
                   mpi=bool(names - NON_MPI_LAUNCHERS), local=label.startswith("local."))


def load_machine_file(path: str) -> Machine:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise MachineError(f"cannot read machine file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise MachineError(f"machine file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not _count(data.get("cores_per_node")):
        raise MachineError(f"machine file {path}: needs a positive integer 'cores_per_node'")
    unknown = sorted(set(data) - {"name", "cores_per_node", "gpus_per_node", "nodes",
                                  "mem_per_node", "mpi"})
    if unknown:
        raise MachineError(f"machine file {path}: unknown key(s) {', '.join(unknown)}")
    return Machine(label=str(data.get("name") or os.path.basename(path)),
                   cores_per_node=int(data["cores_per_node"]),
                   gpus_per_node=_count(data.get("gpus_per_node")),
                   mem_per_node=_count(data.get("mem_per_node")) or None,
                   nodes=_count(data.get("nodes")) or None, mpi=bool(data.get("mpi", True)))


def resolve_target(pilots: Sequence[PilotDecl], resource: str | None = None,
                   machine: Machine | None = None) -> Target | None:
    """The target of a compile, or None when nothing names one."""
    decl = next((p for p in pilots if p.description is not None), None)
    pilot = dict(decl.description) if decl is not None and decl.description else {}
    if machine is not None:
        return Target(machine, machine.label, pilot, decl)
    label = resource or pilot.get("resource")
    if not isinstance(label, str):
        return None
    if resource is not None and resource != pilot.get("resource"):
        decl, pilot = None, {}  # the module's pilot describes another machine
    found = catalogue().get(label)
    return Target(found, label, pilot, decl, unknown=found is None and bool(catalogue()))


def _count(value: Any) -> int:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return int(value) if ok else 0
