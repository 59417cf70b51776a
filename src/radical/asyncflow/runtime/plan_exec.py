"""Execute a static plan on a WorkflowEngine: every node becomes a task of the engine.

How nodes become tasks (all through the engine, which resolves dependencies):

* top-level **function / executable** nodes are called by the runner, in
  plan order, with their planned arguments; ``{"$future": id}`` and
  ``{"$result": id}`` become the future of node ``id``.  Function bodies are
  the plain functions of ``tasks.py``; an executable's body (also from
  ``tasks.py``) is wrapped to remember the command it returned.
* **block** nodes run their body from ``tasks.py``, in a namespace where every
  task name is a :class:`_Proxy`.  When the body calls a task, the proxy hands
  out the block's next planned member of that name (creation order) and
  returns that node's future: the body decides the member's actual arguments
  (they may be computed from results), the plan decides its identity.  A call
  with no planned member left is run anyway and recorded as ``unplanned``.
* **dynamic regions** (``"mode": "regions"``) run their own statement, or
  are run by their block's body; the tasks they call are expansion nodes
  (see :mod:`.plan_regions`).
* **cached** nodes (``--resume``, same fingerprint as a finished node of an
  earlier run) are tasks on a second, in-process backend that returns the
  recorded value at once, so dependents see an ordinary future.  The members
  of a cached block are recorded as ``skipped`` with that reason.

Journal records (see :mod:`.journal`) are written from the engine's events
(``submitted``, ``running``, and the final ``done`` with the value, ``failed``
with the exit code, ...: the engine settles a future and emits its event
before it launches any dependent, so the journal is in dependency order); a
done-callback on each future is the fallback for an event that raced the
bookkeeping.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DependencyFailureError, ExecutableError
from ..ir.values import Walk, decode
from .backends.base import ExecutionBackend, TaskSpec
from .engine import WorkflowEngine
from .fingerprint import encode_value, value_digest
from .journal import Journal
from .plan_regions import CACHE_BACKEND, PLAN_BLOCK, RegionSupport, cached_value


class CacheBackend(ExecutionBackend):
    """Finishes every task at once with the value passed as its only argument."""

    def __init__(self) -> None:
        super().__init__(CACHE_BACKEND)

    def submit(self, spec: TaskSpec) -> None:
        value = spec.args[0]
        if len(spec.args) == 2:  # a region's output: (outputs, name)
            try:
                value = value[spec.args[1]]
            except KeyError:
                self.sink.failed(spec.uid, KeyError(
                    f"the dynamic region did not bind {spec.args[1]!r}"))
                return
        self.sink.succeeded(spec.uid, value)

    def cancel(self, uid: str, reason: str) -> None:
        self.sink.cancelled(uid, reason)

    async def shutdown(self) -> None:
        return None


class Undecodable(ValueError):
    """A planned argument that only the workflow body can compute."""


class _Proxy:
    def __init__(self, execution: StaticExecution, name: str) -> None:
        self.execution = execution
        self.name = name
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.execution.member_call(self.name, args, kwargs)


class StaticExecution(RegionSupport):
    """One run of a static plan (see the module docstring)."""

    def __init__(self, plan: Mapping[str, Any], tasks: Any, workflow_ns: dict[str, Any],
                 journal: Journal, fingerprints: Mapping[str, str],
                 cache: Mapping[str, Any], progress: Callable[[str, str], None]) -> None:
        self.plan = plan
        self.nodes = {n["id"]: n for n in plan["nodes"]}
        self.tasks = tasks
        self.ns = workflow_ns
        self.journal = journal
        self.cache = cache
        self.progress = progress
        self.futures: dict[str, Any] = {}
        self.uids: dict[str, str] = {}
        self.commands: dict[str, str] = {}
        self.cached_blocks: set[str] = set()
        self.recorded: set[str] = set()
        self.launched: set[str] = set()  # handed to a backend (or a block body started)
        self.early: dict[str, list[Any]] = {}
        self.lock = threading.Lock()
        self.members: dict[str | None, dict[str, deque[str]]] = {}
        for node in plan["nodes"]:
            per = self.members.setdefault(node.get("parent"), {})
            per.setdefault(node["name"], deque()).append(node["id"])
        self.engine: WorkflowEngine | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.unplanned = 0
        self.stopping = False
        self.fps = dict(fingerprints)  # expansion nodes add theirs
        self.init_regions(plan)
        for name, info in plan["tasks"]["functions"].items():
            if info["kind"] == "block":
                self.ns[f"__raf_block_{name}"] = self.ns[name]
            self.ns[name] = _Proxy(self, name)

    # -- starting nodes ------------------------------------------------------
    def start_top_level(self) -> None:
        for nid, rid in self.absorbed.items():
            self.journal.write("skipped", node=nid,
                               reason=f"the region {rid} calls it at run time (its header)")
            self.progress(nid, "skipped")
        for batch in self.plan["batches"]:
            for nid in batch:
                node = self.nodes[nid]
                if node.get("parent") is not None or nid in self.absorbed:
                    continue
                if nid in self.regions:  # waits for its inputs; reads them itself
                    after = tuple(self.futures[d] for d in node["after"]
                                  if d not in self.absorbed)
                    self.start(nid, after, {})
                    continue
                args = [self.decode(a) for a in node.get("args", [])]
                kwargs = {k: self.decode(v) for k, v in node.get("kwargs", {}).items()}
                self.start(nid, tuple(args), kwargs)

    def member_call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        parent = PLAN_BLOCK.get()
        region = self.region_of.get(parent) if parent is not None else None
        if region is None and parent in self.block_regions:
            region = self._region_at_caller(parent)  # type: ignore[arg-type]
            parent = region or parent
        if region is not None:
            return self.expansion_call(region, parent, name, args, kwargs)  # type: ignore[arg-type]
        with self.lock:
            queue = self.members.get(parent, {}).get(name)
            nid = queue.popleft() if queue else None
            if nid is None:
                self.unplanned += 1
                nid = f"{parent or ''}/{name}@unplanned[{self.unplanned}]".lstrip("/")
        if nid not in self.nodes:
            self.journal.write("unplanned", node=nid, detail=f"a call of {name!r} in {parent}")
        return self.start(nid, args, kwargs, name=name)

    def start(self, nid: str, args: tuple[Any, ...], kwargs: dict[str, Any],
              name: str | None = None, node: Mapping[str, Any] | None = None,
              fp: str | None = None) -> Any:
        node = node or self.nodes.get(nid) or {"id": nid, "name": name,
                                               "kind": self._kind(name)}
        assert self.engine is not None
        fp = fp or self.fps.get(nid)
        if fp is not None and fp in self.cache:
            future = self._start_cached(nid, node, fp)
        else:
            template = self._template(node)
            options = dict(kwargs)
            if node.get("resources"):
                options["task_description"] = self.description(node["resources"])
            if node.get("backend") and node["backend"] in self.engine.backends:
                options["backend"] = node["backend"]
            future = template(*args, **options)
            self.journal.write("created", node=nid, fp=fp, uid=future.uid)
        with self.lock:
            self.futures[nid] = future
            self.uids[future.uid] = nid
            early = self.early.pop(future.uid, [])
        for event in early:  # events the engine emitted before template() returned
            self.on_event(event)
        self._on_done(future, functools.partial(self._settled, nid, fp))
        if self.stopping:  # --on-failure finish/terminate, or Ctrl-C: nothing new starts
            future.cancel()
        return future

    def _start_cached(self, nid: str, node: Mapping[str, Any], fp: str) -> Any:
        assert self.engine is not None
        if node["kind"] == "block":
            self.cached_blocks.add(nid)
        value = self.cache[fp]
        template = self.engine.function_task(cached_value, name=node["name"])
        future = template(value, backend=CACHE_BACKEND)
        self.journal.write("cached", node=nid, fp=fp, digest=value_digest(value),
                           value=encode_value(value))
        self.progress(nid, "cached")
        return future

    def skip_members_of_cached_blocks(self) -> None:
        for nid, node in self.nodes.items():
            if nid not in self.futures and nid not in self.absorbed and self._inside_cached(node):
                self.journal.write("skipped", node=nid, reason="its block was cached")
                self.progress(nid, "skipped")

    def _inside_cached(self, node: Mapping[str, Any]) -> bool:
        parent = node.get("parent")
        while parent is not None:
            if parent in self.cached_blocks:
                return True
            parent = self.nodes[parent].get("parent")
        return False

    def description(self, resources: Mapping[str, Any]) -> dict[str, Any]:
        """The node's resources, minus keys the chosen backend does not understand."""
        assert self.engine is not None
        known = self.engine.backend.description_keys
        return {k: v for k, v in resources.items() if known is None or k in known}

    def _kind(self, name: str | None) -> str:
        info = self.plan["tasks"]["functions"].get(name or "", {})
        return str(info.get("kind", "function"))

    # -- templates -------------------------------------------------------------
    def _template(self, node: Mapping[str, Any]) -> Any:
        assert self.engine is not None
        name, kind = node["name"], node["kind"]
        opts = {k: v for k, v in node.get("options", {}).items()
                if k in ("retries", "timeout", "service")}
        if kind == "dynamic":
            return self.engine.block(self._region_body(node), name=name)
        if "expansion" in node:  # a task a region calls: the decorator's own options
            opts = self._expansion_options(node["expansion"])
        if kind == "block":
            return self.engine.block(_block_body(self.ns[f"__raf_block_{name}"], node["id"]),
                                     name=name, **opts)
        if kind == "executable":
            body = _recording(getattr(self.tasks, name), self.commands, node["id"])
            return self.engine.executable_task(body, name=name, **opts)
        return self.engine.function_task(getattr(self.tasks, name), name=name, **opts)

    # -- arguments ---------------------------------------------------------------
    def decode(self, value: Any, values: bool = False) -> Any:
        """A planned argument; ``values``: ``$result`` is the (finished) node's value."""
        return decode(value, functools.partial(self._reference, values))

    def _reference(self, values: bool, item: dict[str, Any], walk: Walk) -> Any:
        """A node reference or file of a planned argument (see :func:`decode`)."""
        if "$future" in item:
            return self.futures[item["$future"]]
        if "$result" in item:
            future = self.futures[item["$result"]]
            return asyncio.Future.result(future) if values else future
        if "$output" in item:  # what a dynamic region left in a variable
            region, name = item["$output"]
            future = self.futures[region]
            if values:
                return asyncio.Future.result(future)[name]
            return self._pick(future, name)
        if "$input_file" in item or "$output_file" in item:
            from ..data import InputFile, OutputFile

            kind = InputFile if "$input_file" in item else OutputFile
            return kind(walk(item.get("$input_file", item.get("$output_file"))))
        if "$runtime" in item or "$object" in item:
            raise Undecodable(f"argument {item!r} is computed by the workflow body")
        return {k: walk(v) for k, v in item.items()}

    # -- outcomes --------------------------------------------------------------------
    def _on_done(self, future: Any, callback: Callable[[Any], None]) -> None:
        assert self.loop is not None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            future.add_done_callback(callback)
        else:
            self.loop.call_soon_threadsafe(future.add_done_callback, callback)

    def _settled(self, nid: str, fp: str | None, future: Any) -> None:
        with self.lock:
            if nid in self.recorded:
                return
            self.recorded.add(nid)
        if nid in self.regions and not (fp is not None and fp in self.cache):
            with self.lock:
                expanded = list(self.expansions[nid])
            self.journal.write("expansion", node=nid, nodes=expanded)
        if nid in self.block_regions and nid not in self.cached_blocks:
            for node in self.block_regions[nid]:
                self._close_region(node, nid, future)
        if fp is not None and fp in self.cache and future.done() and not future.cancelled() \
                and future.exception() is None:
            return  # recorded as cached when it started
        if future.cancelled():
            self.journal.write("cancelled", node=nid, error="cancelled")
            self.progress(nid, "cancelled")
            return
        exc = future.exception()
        if exc is None:
            value = future.result()
            extra = {}
            declared = self.nodes.get(nid, {}).get("outputs")
            if declared and self.engine is not None:  # OutputFile names, under the work_dir
                extra["outputs"] = {name: os.path.exists(os.path.join(self.engine.work_dir, name))
                                    for name in declared}
            self.journal.write("done", node=nid, fp=fp, digest=value_digest(value),
                               value=encode_value(value), command=self.commands.get(nid),
                               exit_code=0 if nid in self.commands else None, **extra)
            self.progress(nid, "done")
            return
        event = "dep_failed" if isinstance(exc, DependencyFailureError) else "failed"
        code = exc.exit_code if isinstance(exc, ExecutableError) else None
        self.journal.write(event, node=nid, error=f"{type(exc).__name__}: {exc}"[:2000],
                           exit_code=code, command=self.commands.get(nid))
        self.progress(nid, event)

    def on_event(self, event: Any) -> None:
        with self.lock:
            nid = self.uids.get(event.uid)
            if nid is None:
                self.early.setdefault(event.uid, []).append(event)
                return
        if event.kind in ("submitted", "running") and event.backend != CACHE_BACKEND:
            self.launched.add(nid)
            self.journal.write(event.kind, node=nid, backend=event.backend)
            self.progress(nid, "running")
        elif event.kind in ("done", "failed", "cancelled"):
            # the future is settled before the event and before any dependent is launched,
            # so recording here keeps the journal in dependency order
            self._settled(nid, self.fps.get(nid), self.futures[nid])

    def cancel_all(self, pending_only: bool = False) -> None:
        self.stopping = True
        for nid, future in list(self.futures.items()):
            if future.done() or (pending_only and nid in self.launched):
                continue
            future.cancel()

    async def wait(self) -> None:
        while True:
            pending = [f for f in list(self.futures.values()) if not f.done()]
            if not pending:
                return
            await asyncio.wait(pending)


def _recording(body: Callable[..., Any], commands: dict[str, str], nid: str) -> Any:
    if inspect.iscoroutinefunction(body):
        @functools.wraps(body)
        async def record_async(*args: Any, **kwargs: Any) -> Any:
            commands[nid] = command = await body(*args, **kwargs)
            return command

        return record_async

    @functools.wraps(body)
    def record(*args: Any, **kwargs: Any) -> Any:
        commands[nid] = command = body(*args, **kwargs)
        return command

    return record


def _block_body(body: Callable[..., Any], nid: str) -> Any:
    if inspect.iscoroutinefunction(body):
        @functools.wraps(body)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            PLAN_BLOCK.set(nid)
            return await body(*args, **kwargs)

        return run_async

    @functools.wraps(body)
    def run(*args: Any, **kwargs: Any) -> Any:
        PLAN_BLOCK.set(nid)
        return body(*args, **kwargs)

    return run
