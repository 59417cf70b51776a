"""``raf run``: execute a compiled plan on a WorkflowEngine and check the run against it.

Steps, in order (any refusal exits 1 before anything runs):

1. :func:`.conformance.check_plan`: the plan is internally consistent;
2. ``tasks.py`` is the one the plan was compiled with (sha256);
3. :func:`.conformance.check_source`: the module, when found, has the recorded
   digest (else the plan is refused with a clear message) and still compiles
   to the same nodes and edges;
4. a new ``runs/<n>/journal.jsonl``; with ``--resume`` the finished nodes of
   earlier runs are indexed by fingerprint (:mod:`.fingerprint`);
5. execution: ``static`` and ``regions`` plans by
   :class:`.plan_exec.StaticExecution` (the workflow body never runs; a
   dynamic region runs its own statement, from the plan, and records its
   expansion); ``module`` plans by :mod:`.plan_module`, which runs the module;
6. :func:`.conformance.check_run` over this run's journal, a summary table,
   and the exit code: 0 for a successful, conforming run, 1 otherwise (with
   the discrepancies listed), 130 after Ctrl-C (running tasks are cancelled,
   executables killed by process group, the journal flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib.util
import json
import os
import signal
import sys
import time
from collections.abc import Mapping
from typing import Any

import cloudpickle

from ..ir.values import decode
from .conformance import (
    SourceMismatch,
    check_plan,
    check_run,
    check_source,
    tasks_digest_problem,
)
from .fingerprint import decode_value, plan_fingerprints
from .journal import JOURNAL, Journal, history, new_run_dir, read
from .plan_report import Report, print_problems

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
POLICIES = ("continue", "finish", "terminate")
BACKEND_NAMES = ("local", "dask", "radical.pilot")


class PlanError(Exception):
    """The plan cannot be loaded or run; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class RunOptions:
    backend: str | None = None
    resume: bool = False
    workers: int | None = None
    on_failure: str = "continue"
    #: radical.pilot: run on this resource instead of the plan's (its sizes are then dropped)
    resource: str | None = None


def load_plan(plan_dir: str) -> dict[str, Any]:
    path = os.path.join(plan_dir, "plan.json")
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except OSError as exc:
        raise PlanError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise PlanError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(plan, dict):
        raise PlanError(f"{path} is not a plan (not a JSON object)")
    return plan


def make_backend(name: str, plan: Mapping[str, Any], workers: int | None,
                 resource: str | None = None) -> Any:
    if name == "local":
        from .backends.local import LocalExecutionBackend

        return LocalExecutionBackend(max_workers=workers)
    if name == "dask":
        from .backends.dask import DaskExecutionBackend

        return DaskExecutionBackend({"n_workers": workers or 2, "threads_per_worker": 1})
    if name == "radical.pilot":
        from .backends.radical_pilot import RadicalExecutionBackend

        pilot, raptor = rp_pilot(plan, resource)
        if workers:
            pilot["cores"] = workers
            pilot.pop("nodes", None)
        return RadicalExecutionBackend(pilot or None, raptor=raptor)
    raise PlanError(f"unknown backend {name!r} (choose from {', '.join(BACKEND_NAMES)})")


def routed_backends(plan: Mapping[str, Any], default: Any) -> list[Any]:
    """The default backend plus one backend for each other ``backend="name"`` of the plan.

    A name the module constructs itself (the plan's ``backends``) gets that
    kind of backend with the module's constant arguments: a
    ``RadicalExecutionBackend({...}, name="gpu")`` next to local threads
    starts that pilot.  A name the plan does not know gets a backend of the
    default's kind when that is local; on Dask and Radical.Pilot it shares the
    one cluster or pilot (its nodes run there unrouted).
    """
    from .backends.local import LocalExecutionBackend

    routed = {n["backend"] for n in plan["nodes"] if n.get("backend")}
    for node in plan["nodes"]:  # tasks that only dynamic regions call
        for task in node.get("region", {}).get("tasks", {}).values():
            if isinstance(task["options"].get("backend"), str):
                routed.add(task["options"]["backend"])
    declared = plan.get("backends") or {}
    extras = []
    for name in sorted(routed - {default.name}):
        if name in declared:
            extras.append(declared_backend(name, declared[name]))
        elif type(default) is LocalExecutionBackend:
            extras.append(LocalExecutionBackend(name=name))
    return [default, *extras]


def declared_backend(name: str, decl: Mapping[str, Any]) -> Any:
    """A backend as the module constructs it (kind and constant arguments from the plan)."""
    config = decl.get("config") or {"args": [], "kwargs": {}}
    args, kwargs = decode(config["args"]), decode(config["kwargs"])
    kind = decl.get("kind")
    if kind == "local":
        from .backends.local import LocalExecutionBackend as cls
    elif kind == "dask":
        from .backends.dask import DaskExecutionBackend as cls  # type: ignore[assignment]
    elif kind == "radical.pilot":
        from .backends.radical_pilot import RadicalExecutionBackend as cls  # type: ignore[assignment]
    elif kind == "noop":
        from .backends.noop import NoopExecutionBackend as cls  # type: ignore[assignment]
    else:
        raise PlanError(f"backend {name!r}: unknown kind {kind!r} in the plan")
    try:
        return cls(*args, name=name, **kwargs)
    except Exception as exc:
        raise PlanError(f"cannot start backend {name!r} ({kind}) as the module does: "
                        f"{type(exc).__name__}: {exc}") from None


def rp_pilot(plan: Mapping[str, Any], resource: str | None) -> tuple[dict[str, Any], Any]:
    """The plan's PilotDescription and RAPTOR layout; ``resource`` replaces both.

    A plan sized for another machine (``tacc.frontera``) is run elsewhere, for
    instance on ``local.localhost`` to try it, only when asked: the sizes,
    queue and project of the plan's pilot do not apply there, so the backend's
    defaults for that resource are used.
    """
    section = plan.get("radical.pilot") or {}
    pilot = dict(section.get("pilot") or {})
    raptor = section.get("raptor")
    if resource is not None and resource != pilot.get("resource"):
        return {"resource": resource}, None
    return pilot, dict(raptor) if raptor else None


def load_tasks(plan: Mapping[str, Any], plan_dir: str) -> tuple[Any, dict[str, Any]]:
    """Import ``tasks.py`` (for task bodies) and a second namespace for block bodies."""
    path = os.path.abspath(os.path.join(plan_dir, plan["tasks"]["module"]))
    name = "raf_plan_tasks"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PlanError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PlanError(f"{path} failed to import: {type(exc).__name__}: {exc}") from None
    cloudpickle.register_pickle_by_value(module)
    with open(path, encoding="utf-8") as handle:
        code = compile(handle.read(), path, "exec")
    namespace: dict[str, Any] = {"__name__": name + "_workflow", "__file__": path}
    exec(code, namespace)  # the same definitions again; blocks see task proxies here
    return module, namespace


def resume_cache(plan_dir: str) -> dict[str, Any]:
    """fingerprint -> value of every node finished in an earlier run."""
    cache: dict[str, Any] = {}
    for record in history(plan_dir):
        if record["event"] in ("done", "cached") and record.get("fp") and record.get("value"):
            try:
                cache[record["fp"]] = decode_value(record["value"])
            except Exception:
                continue
    return cache


def verify(plan: Mapping[str, Any], plan_dir: str) -> list[str]:
    """Refusals before running (empty when the plan may run)."""
    problems = check_plan(plan)
    if problems:
        return ["the plan is inconsistent:", *problems]
    tasks_problem = tasks_digest_problem(plan, plan_dir)
    if tasks_problem:
        return [tasks_problem]
    try:
        _, mismatches = check_source(plan, plan_dir)
    except SourceMismatch as exc:
        return [f"refusing to run: {exc}"]
    if mismatches:
        return ["the plan does not match its module (edited by hand?):", *mismatches]
    return []


def run_plan(plan: dict[str, Any], plan_dir: str, options: RunOptions) -> int:
    refusals = verify(plan, plan_dir)
    if refusals:
        print_problems(refusals)
        return EXIT_FAILED
    backend_name = options.backend or plan["backend"]
    if options.on_failure not in POLICIES:
        raise PlanError(f"--on-failure must be one of {', '.join(POLICIES)}")
    run_dir = new_run_dir(plan_dir)
    journal = Journal(os.path.join(run_dir, JOURNAL))
    cache = resume_cache(plan_dir) if options.resume else {}
    journal.write("start", backend=backend_name, plan_sha256=plan["tasks"]["sha256"],
                  resume=options.resume, on_failure=options.on_failure, mode=plan["mode"],
                  source=plan["source"]["path"])
    report = Report(plan, run_dir)
    started = time.monotonic()
    try:
        outcome = _execute(plan, plan_dir, options, backend_name, journal, cache, report)
    finally:
        report.stop()
    elapsed = time.monotonic() - started
    journal.write("end", outcome=outcome, seconds=round(elapsed, 3))
    journal.close()
    records = read(os.path.join(run_dir, JOURNAL))
    problems = check_run(plan, records, plan_dir)
    report.summary(records, elapsed, problems)
    if outcome == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome == "ok" and not problems else EXIT_FAILED


def _execute(plan: dict[str, Any], plan_dir: str, options: RunOptions, backend_name: str,
             journal: Journal, cache: dict[str, Any], report: Report) -> str:
    backend = make_backend(backend_name, plan, options.workers, options.resource)
    tasks, namespace = load_tasks(plan, plan_dir)
    code = {n: f["sha256"] for n, f in plan["tasks"]["functions"].items()}
    if plan["mode"] == "module":
        from .plan_module import run_module

        return run_module(plan, plan_dir, backend, journal, cache, code, report, options)
    fps = plan_fingerprints(plan["nodes"], code)
    return asyncio.run(_static(plan, tasks, namespace, backend, journal, fps, cache, report,
                               options.on_failure))


async def _static(plan: dict[str, Any], tasks: Any, namespace: dict[str, Any], backend: Any,
                  journal: Journal, fps: dict[str, str], cache: dict[str, Any], report: Report,
                  policy: str) -> str:
    from .engine import WorkflowEngine
    from .plan_exec import CacheBackend, StaticExecution

    state = {"outcome": "ok"}
    execution: StaticExecution

    def progress(nid: str, what: str) -> None:
        report.advance(nid, what)
        if what == "failed" and state["outcome"] == "ok":
            state["outcome"] = "failed"
        if what == "failed" and policy != "continue":
            execution.cancel_all(pending_only=policy == "finish")

    execution = StaticExecution(plan, tasks, namespace, journal, fps, cache, progress)
    loop = asyncio.get_running_loop()
    execution.loop = loop

    def interrupt() -> None:
        state["outcome"] = "interrupted"
        journal.write("interrupted")
        execution.cancel_all()

    engine = await WorkflowEngine.create(backend=[*routed_backends(plan, backend),
                                                  CacheBackend()])
    execution.engine = engine
    engine.subscribe(execution.on_event)
    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        execution.start_top_level()
        await execution.wait()
        execution.skip_members_of_cached_blocks()
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await engine.shutdown(mode="cancel")
    if state["outcome"] == "ok" and any(f.cancelled() for f in execution.futures.values()):
        state["outcome"] = "failed"
    return state["outcome"]


def launch(plan: dict[str, Any], backend: str, plan_dir: str, argv: list[str]) -> int:
    """Entry point of a generated ``run_<backend>.py``."""
    parser = argparse.ArgumentParser(prog=f"run_{backend.replace('.', '_')}.py")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--on-failure", choices=POLICIES, default="continue")
    parser.add_argument("--resource", default=None)
    args = parser.parse_args(argv)
    options = RunOptions(backend, args.resume, args.workers, args.on_failure, args.resource)
    try:
        return run_plan(plan, plan_dir, options)
    except PlanError as exc:
        print(f"raf: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
