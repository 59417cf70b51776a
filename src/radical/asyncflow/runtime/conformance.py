"""Does a plan hold together, does it still match its module, and did the run match it?

Three checks, each returning human-readable discrepancies (empty = fine):

* :func:`check_plan` (before running): the plan is internally consistent:
  unique ids, ``edges`` equal to the ``after`` lists, every reference in the
  arguments listed in ``after``, parents and dependencies that exist and come
  first, a known schema, every task's code present in ``tasks.py``.
* :func:`check_source` (before running): the module the plan was compiled
  from, when it can be found, has the recorded sha256 (otherwise the plan is
  **refused**), and compiling it again gives the same nodes and edges, which
  catches a plan edited by hand (a dropped edge, an extra node).
* :func:`check_run` (after running), over this run's journal records: every
  planned node ran exactly once or was cached / skipped with a reason; each
  started only after all its dependencies had finished; nothing unplanned ran
  except recorded dynamic expansions; executables exited 0 with the planned
  command; declared outputs exist (``OutputFile`` names, as recorded when the
  task ended, and ``resources["outputs"]``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ..ir.values import refs_in

PLAN_SCHEMA = "radical.asyncflow.plan/1"
FINISHED = ("done", "cached")
TERMINAL = ("done", "cached", "failed", "cancelled", "dep_failed", "skipped")


class SourceMismatch(Exception):
    """The module changed since the plan was compiled: the plan is refused."""


def check_plan(plan: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if plan.get("schema") != PLAN_SCHEMA:
        return [f"unknown plan schema {plan.get('schema')!r} (expected {PLAN_SCHEMA})"]
    nodes = plan.get("nodes", [])
    seen: set[str] = set()
    expected_edges = []
    functions = plan.get("tasks", {}).get("functions", {})
    for node in nodes:
        nid = node["id"]
        if nid in seen:
            problems.append(f"node {nid} appears twice")
        for dep in node.get("after", []):
            if dep not in seen:
                problems.append(f"node {nid} depends on {dep}, which is not an earlier node")
            expected_edges.append((dep, nid))
        parent = node.get("parent")
        if parent is not None and parent not in seen:
            problems.append(f"node {nid} is inside {parent}, which is not an earlier node")
        missing = refs_in([node.get("args", []), node.get("kwargs", {})]) - set(node["after"])
        for ref in sorted(missing):
            problems.append(f"node {nid} uses the value of {ref} but does not depend on it")
        if node["kind"] != "dynamic" and node["name"] not in functions:
            problems.append(f"node {nid}: task {node['name']!r} is not in tasks.py")
        if node["kind"] == "dynamic" and plan.get("mode") == "regions":
            problems += _region_problems(node, functions, seen)
        seen.add(nid)
    edges = [tuple(e) for e in plan.get("edges", [])]
    for dep, nid in sorted(set(expected_edges) - set(edges)):
        problems.append(f"edge {dep} -> {nid} is missing from 'edges'")
    for dep, nid in sorted(set(edges) - set(expected_edges)):
        problems.append(f"edge {dep} -> {nid} in 'edges' is not a dependency of {nid}")
    return problems


def _region_problems(node: Mapping[str, Any], functions: Mapping[str, Any],
                     seen: set[str]) -> list[str]:
    region = node.get("region") or {}
    nid = node["id"]
    if "code" not in region and not (region.get("in_block") and node.get("parent")):
        return [f"dynamic region {nid} has no code, so a 'regions' plan cannot run it"]
    problems = [f"dynamic region {nid} calls {name!r}, which is not in tasks.py"
                for name in sorted(region.get("tasks", {})) if name not in functions]
    problems += [f"dynamic region {nid} absorbs {a}, which is not an earlier node"
                 for a in region.get("absorbs", []) if a not in seen]
    return problems


def tasks_digest_problem(plan: Mapping[str, Any], plan_dir: str) -> str | None:
    path = os.path.join(plan_dir, plan["tasks"]["module"])
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    if digest != plan["tasks"]["sha256"]:
        return f"{path} was edited after `raf compile` (sha256 differs); recompile the plan"
    return None


def find_source(plan: Mapping[str, Any], plan_dir: str) -> str | None:
    src = plan["source"]
    for candidate in (os.path.join(plan_dir, src.get("from_plan") or ""), src.get("path") or ""):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def check_source(plan: Mapping[str, Any], plan_dir: str) -> tuple[str | None, list[str]]:
    """(path of the module found or None, discrepancies); raises SourceMismatch."""
    path = find_source(plan, plan_dir)
    if path is None:
        return None, []
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    if digest != plan["source"]["sha256"]:
        raise SourceMismatch(
            f"{path} changed since this plan was compiled (sha256 {digest[:12]}… is not "
            f"{plan['source']['sha256'][:12]}…); recompile it with "
            f"`raf compile {path} --backend {plan['backend']} -o DIR`")
    from ..compiler import compile_path

    fresh = compile_path(path)
    return path, _compare(plan, [n.to_json() for n in fresh.nodes])


def _compare(plan: Mapping[str, Any], fresh: list[dict[str, Any]]) -> list[str]:
    planned = {n["id"]: n for n in plan["nodes"]}
    compiled = {n["id"]: n for n in fresh}
    problems = [f"node {i} is in the plan but not in the module" for i in planned
                if i not in compiled]
    problems += [f"node {i} of the module is missing from the plan" for i in compiled
                 if i not in planned]
    for nid in planned.keys() & compiled.keys():
        a, b = planned[nid], compiled[nid]
        for dep in sorted(set(b["after"]) - set(a["after"])):
            problems.append(f"edge {dep} -> {nid} of the module is missing from the plan")
        for dep in sorted(set(a["after"]) - set(b["after"])):
            problems.append(f"edge {dep} -> {nid} of the plan is not in the module")
        for key in ("kind", "name", "args", "kwargs", "command", "resources", "parent"):
            if a.get(key) != b.get(key):
                problems.append(f"node {nid}: '{key}' differs from the module")
        planned_region = {k: v for k, v in (a.get("region") or {}).items() if k != "sha256"}
        if a["kind"] == "dynamic" and planned_region != (b.get("region") or {}):
            problems.append(f"node {nid}: its region's code differs from the module")
    return sorted(problems)


def check_run(plan: Mapping[str, Any], records: Iterable[Mapping[str, Any]],
              plan_dir: str = ".") -> list[str]:
    """Discrepancies between this run's journal records and the plan."""
    records = list(records)
    nodes = {n["id"]: n for n in plan["nodes"]}
    problems: list[str] = []
    terminal: dict[str, list[Mapping[str, Any]]] = {}
    started: Counter[str] = Counter()
    first_start: dict[str, int] = {}
    finished_at: dict[str, int] = {}
    expanded: dict[str, str] = {}  # node -> the dynamic region that created it
    unplanned: set[str] = set()  # already reported by their "unplanned" record
    for rec in records:
        node = rec.get("node")
        if node is None:
            continue
        event = rec["event"]
        if event == "created":  # once per node the runner starts (retries do not count)
            started[node] += 1
        elif event in ("submitted", "running"):
            first_start.setdefault(node, rec["seq"])
        elif event in TERMINAL:
            terminal.setdefault(node, []).append(rec)
        elif event == "unplanned":
            problems.append(f"unplanned task ran: {node} ({rec.get('detail', '')})")
            unplanned.add(node)
        elif event == "expansion":
            expanded.update((n, node) for n in rec.get("nodes", []))
        if event in FINISHED or event == "skipped":
            finished_at.setdefault(node, rec["seq"])
    for nid in sorted(set(terminal) - set(nodes) - unplanned):
        problems += _expansion_problems(nid, expanded.get(nid), terminal[nid])
    for nid, node in nodes.items():
        problems += _node_problems(node, terminal.get(nid, []), started[nid])
    problems += _order_problems(nodes, first_start, finished_at)
    problems += _output_problems(nodes, terminal, plan_dir)
    return problems


def _expansion_problems(nid: str, region: str | None,
                        ends: list[Mapping[str, Any]]) -> list[str]:
    """A node that is not in the plan: it must belong to a region's recorded expansion."""
    if region is None:
        return [f"unplanned task ran: {nid} (not in the plan, nor in a region's expansion)"]
    if len(ends) > 1:
        return [f"node {nid} (expansion of {region}) ran {len(ends)} times"]
    if ends[0]["event"] in ("failed", "cancelled", "dep_failed"):
        what = ends[0]["event"].replace("_", " ")
        return [f"node {nid} (expansion of {region}) {what}: {ends[0].get('error', '')}"
                .rstrip(": ")]
    return []


def _node_problems(node: Mapping[str, Any], ends: list[Mapping[str, Any]],
                   starts: int) -> list[str]:
    nid = node["id"]
    if node["kind"] == "dynamic":
        return [] if ends and ends[-1]["event"] in FINISHED else [
            f"dynamic region {nid} was not expanded"]
    if not ends:
        return [f"planned node {nid} never ran"]
    if len(ends) > 1 or starts > 1:
        return [f"node {nid} ran {max(len(ends), starts)} times"]
    end = ends[0]
    event = end["event"]
    if event == "skipped" and not end.get("reason"):
        return [f"node {nid} was skipped without a reason"]
    if event in ("failed", "cancelled", "dep_failed"):
        return [f"node {nid} {event.replace('_', ' ')}: {end.get('error', '')}".rstrip(": ")]
    if node["kind"] == "executable" and event == "done":
        return _command_problems(node, end)
    return []


def _command_problems(node: Mapping[str, Any], end: Mapping[str, Any]) -> list[str]:
    ran = end.get("command")
    if end.get("exit_code", 0) != 0:
        return [f"executable {node['id']} exited with {end.get('exit_code')}"]
    if ran is None or node.get("command") is None:
        return []
    if node.get("command_template"):
        if not template_matches(node["command"], ran):
            return [f"executable {node['id']} ran {ran!r}, which does not fit the planned "
                    f"template {node['command']!r}"]
    elif ran != node["command"]:
        return [f"executable {node['id']} ran {ran!r}, not the planned {node['command']!r}"]
    return []


_HOLE = re.compile(r"\{[^{}]*\}")


def template_matches(template: str, command: str) -> bool:
    """Does ``command`` fit a command template with ``{expr}`` holes?"""
    pieces = _HOLE.split(template.replace("{{", "\0").replace("}}", "\1"))
    literal = [re.escape(p.replace("\0", "{").replace("\1", "}")) for p in pieces]
    return re.fullmatch("(?s)" + ".*".join(literal), command) is not None


def _order_problems(nodes: Mapping[str, Mapping[str, Any]], first_start: Mapping[str, int],
                    finished_at: Mapping[str, int]) -> list[str]:
    problems = []
    for nid, seq in sorted(first_start.items()):
        if nid not in nodes:
            continue
        for dep in nodes[nid]["after"]:
            done = finished_at.get(dep)
            if done is None or done > seq:
                problems.append(f"node {nid} started before its dependency {dep} finished")
    return problems


def _output_problems(nodes: Mapping[str, Mapping[str, Any]],
                     terminal: Mapping[str, list[Mapping[str, Any]]], plan_dir: str) -> list[str]:
    problems = []
    for nid, node in nodes.items():
        outputs = node.get("resources", {}).get("outputs")
        ends = terminal.get(nid, [])
        if not isinstance(outputs, list) or not ends or ends[-1]["event"] != "done":
            continue
        for out in outputs:
            if isinstance(out, str) and not os.path.exists(out):
                problems.append(f"node {nid} did not create its declared output {out!r}")
    for nid, node in nodes.items():  # OutputFile(name): checked when the task ended
        ends = terminal.get(nid, [])
        if not node.get("outputs") or not ends or ends[-1]["event"] != "done":
            continue
        seen = ends[-1].get("outputs") or {}
        problems += [f"node {nid} did not create its declared output {name!r}"
                     for name in node["outputs"] if not seen.get(name)]
    return problems
