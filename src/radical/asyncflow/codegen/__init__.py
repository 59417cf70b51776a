"""IR -> plan directory: ``plan.json``, ``tasks.py``, ``run_<backend>.py``, ``submit.slurm``.

:func:`plan_files` is pure (workflow + module text -> file name -> text);
:func:`write_plan_dir` writes them, each atomically, and never touches
``runs/`` (the journals of earlier runs survive a recompile).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
from typing import Any

from ..compiler.machines import Target
from ..ir import Diagnostic, Workflow, dumps
from .extract import extract
from .plan import BACKENDS, PLAN_SCHEMA, module_reasons, plan_document
from .render import UnsafeValue, render
from .sections import section

#: cores per node assumed by ``submit.slurm`` when the target machine is not known
CORES_PER_NODE = 64
SOURCE_COPY = "source.py"


@dataclasses.dataclass(frozen=True, slots=True)
class PlanFiles:
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]
    plan: dict[str, Any]


def launcher_name(backend: str) -> str:
    return f"run_{backend.replace('.', '_')}.py"


def plan_files(wf: Workflow, text: str, backend: str, from_plan: str,
               target: Target | None = None) -> PlanFiles:
    """Everything a plan directory holds, or the RAF701 findings that prevent it.

    ``target``: the machine a ``radical.pilot`` plan's pilot is sized for
    (:func:`..compiler.machines.resolve_target`; default ``local.localhost``).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}")
    reasons = module_reasons(wf)
    regions = [] if reasons else [n for n in wf.nodes if n.kind == "dynamic"
                                  and "code" in (n.region or {})]
    extracted = extract(wf, text, sorted({g for n in regions for g in _region(n)["globals"]}))
    if extracted.diagnostics:
        return PlanFiles({}, extracted.diagnostics, {})
    for node in regions:
        reasons += [f"{node.id} (line {node.span.line}): {extracted.problems[g]}"
                    for g in _region(node)["globals"] if g in extracted.problems]
    if reasons and regions:  # a region's helper cannot be extracted: plain tasks.py
        regions = []
        extracted = extract(wf, text)
    tasks_py = render("tasks.py.j2", source_path=wf.path, parts=list(extracted.parts))
    functions: dict[str, dict[str, Any]] = {
        n: {"kind": extracted.kinds[n], "sha256": extracted.digests[n]}
        for n in sorted(extracted.digests)}
    if not reasons:
        reasons += _block_offsets(wf, extracted, tasks_py, functions)
    tasks = {"module": "tasks.py", "sha256": _sha(tasks_py), "functions": functions}
    source = {"path": wf.path, "sha256": wf.digest, "from_plan": from_plan, "copy": None}
    plan = plan_document(wf, backend, source, tasks, section(wf, backend, target), reasons)
    digests = {n.id: _region_digest(n.region, extracted) for n in regions}
    for node in plan["nodes"]:
        if node["id"] in digests:
            node["region"]["sha256"] = digests[node["id"]]
    files = {"tasks.py": tasks_py}
    if plan["mode"] == "module":
        plan["source"]["copy"] = SOURCE_COPY
        files[SOURCE_COPY] = text
    files["plan.json"] = dumps(plan)
    launcher = launcher_name(backend)
    files[launcher] = render(f"{launcher}.j2", backend=backend, source=plan["source"],
                             tasks_sha256=tasks["sha256"], plan=plan)
    machine = target.machine if target is not None else None
    machine = None if machine is not None and machine.local else machine  # no Slurm there
    files["submit.slurm"] = render("submit.slurm.j2", **slurm_request(plan, launcher, machine))
    return PlanFiles(files, (), plan)


def _block_offsets(wf: Workflow, extracted: Any, tasks_py: str,
                   functions: dict[str, dict[str, Any]]) -> list[str]:
    """``offset`` (module line - tasks.py line) of each block with regions in its body.

    The runner maps a call's line in ``tasks.py`` back to the module to tell a
    region's calls from the block's planned members.
    """
    by_id = {n.id: n for n in wf.nodes}
    lines = tasks_py.splitlines()
    reasons = []
    seen: set[tuple[str | None, int]] = set()
    for node in wf.nodes:
        if node.kind != "dynamic" or not (node.region or {}).get("in_block"):
            continue
        block = by_id[node.parent] if node.parent else None
        name = block.name if block else ""
        where = f"{node.id} (line {node.span.line})"
        if (node.parent, node.span.line) in seen:
            reasons.append(f"{where}: the block's body runs this region more than once (a "
                           "loop), so its calls cannot be told apart by line")
            continue
        seen.add((node.parent, node.span.line))
        module_line = extracted.def_lines.get(name)
        found = [i + 1 for i, text in enumerate(lines)
                 if text.startswith((f"def {name}(", f"async def {name}("))]
        if module_line is None or len(found) != 1:
            reasons.append(f"{where}: the code of block '{name}' cannot be matched line by line")
            continue
        functions[name]["offset"] = module_line - found[0]
        absorbed = set(node.region.get("absorbs", ()))  # type: ignore[union-attr]
        for other in wf.nodes:
            if other.parent == node.parent and other.id not in absorbed and other is not node \
                    and node.span.line <= other.span.line <= node.span.end_line:
                reasons.append(f"{where}: {other.id} shares its lines, so their calls cannot "
                               "be told apart")
                break
    return reasons


def _region(node: Any) -> Any:
    return node.region or {"globals": []}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _region_digest(region: Any, extracted: Any) -> str:
    """A region's code, and the code of the helpers and tasks it calls (for --resume)."""
    h = hashlib.sha256(region["code"].encode())
    for name in region["globals"]:
        h.update(b"\0g" + extracted.extra_digests[name].encode())
    for name in sorted(region["tasks"]):
        h.update(b"\0t" + extracted.digests.get(name, "?").encode())
    return h.hexdigest()


def slurm_request(plan: dict[str, Any], launcher: str, machine: Any = None) -> dict[str, Any]:
    """The batch request: peak cores and GPUs on whole nodes of ``machine`` (a
    :class:`..compiler.machines.Machine`; else :data:`CORES_PER_NODE` cores a node)."""
    est = plan["estimates"]
    ntasks = max(1, int(est["peak_cores"]))
    gpus = int(est["peak_gpus"])
    batches = max(1, int(est["batches"]))
    seconds = max(600, math.ceil(est["assumed_task_seconds"] * batches * 1.5))
    stem = os.path.splitext(os.path.basename(plan["source"]["path"]))[0]
    per_node = getattr(machine, "cores_per_node", 0) or CORES_PER_NODE
    nodes = math.ceil(ntasks / per_node)
    gpus_per_node = getattr(machine, "gpus_per_node", 0)
    if gpus and gpus_per_node:
        nodes = max(nodes, math.ceil(gpus / gpus_per_node))
    return {"job_name": f"raf-{stem}", "nodes": nodes, "ntasks": ntasks, "walltime": seconds,
            "gpus": gpus, "launcher": launcher}


def write_plan_dir(out_dir: str, files: dict[str, str]) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(files):
        target = os.path.join(out_dir, name)
        tmp = target + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[name])
        if name.startswith("run_") or name.endswith(".slurm"):
            os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    if SOURCE_COPY not in files and os.path.exists(os.path.join(out_dir, SOURCE_COPY)):
        os.remove(os.path.join(out_dir, SOURCE_COPY))


__all__ = ["BACKENDS", "PLAN_SCHEMA", "PlanFiles", "UnsafeValue", "launcher_name",
           "plan_files", "write_plan_dir"]
