"""Dynamic regions in a plan run (``"mode": "regions"``): lifted regions and regions in blocks.

A lifted region (``compiler.regions``) runs as a block of the engine whose
body is the region's own statement, compiled by :func:`compile_region` into
``def __raf_region(<inputs>): <statement>; return locals()`` in the namespace
of ``tasks.py`` (task names are proxies).  It waits for its inputs, reads
``{"$result": id}`` inputs as values and ``{"$future": id}`` inputs as
futures, and returns the variables it binds; a later node reads one through
``{"$output": [region, name]}``.

Every task a region calls is an **expansion** node, ``<region>/<task>#<k>``,
started like any node and journaled; its fingerprint (for ``--resume``) is
its task's code digest and its argument values, a future counting as its
node's fingerprint, so a region that runs again after a kill gets the calls
that had finished from the journal.

A region in a block's body is run by the block's body itself.  To tell its
calls from the block's planned members, :meth:`RegionSupport._region_at_caller`
takes the line of the call in the block's function (``tasks.py``) back to the
module with the block's ``offset``: inside a region's span it is an expansion
of that region; below a region it ends that region (journaled ``done`` before
the dependent starts).  Nodes a region's header created (``absorbs``) are
never handed out: the region calls them itself.
"""

from __future__ import annotations

import ast
import asyncio
import contextvars
import sys
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from .fingerprint import call_fingerprint
from .journal import Journal

#: the in-process backend of cached nodes and region outputs (see ``plan_exec.CacheBackend``)
CACHE_BACKEND = "raf-cache"
#: the block (or region) whose body is running: task proxies hand out its members
PLAN_BLOCK: contextvars.ContextVar[str | None] = contextvars.ContextVar("raf_plan_block",
                                                                       default=None)


def cached_value(value: Any, name: str | None = None) -> Any:
    """The body of cached nodes (and region outputs): the ``CacheBackend`` returns the value."""
    return value


class RegionSupport:
    """Mixed into :class:`.plan_exec.StaticExecution`: everything about dynamic regions."""

    plan: Mapping[str, Any]
    nodes: dict[str, Mapping[str, Any]]
    ns: dict[str, Any]
    journal: Journal
    lock: Any
    engine: Any
    fps: dict[str, str]
    uids: dict[str, str]
    futures: dict[str, Any]
    members: dict[str | None, dict[str, deque[str]]]
    progress: Callable[[str, str], None]

    def init_regions(self, plan: Mapping[str, Any]) -> None:
        self.code = {n: f["sha256"] for n, f in plan["tasks"]["functions"].items()}
        self.regions = {n["id"]: n for n in plan["nodes"]
                        if n["kind"] == "dynamic" and "code" in n.get("region", {})}
        self.block_regions: dict[str, list[Mapping[str, Any]]] = {}
        for node in plan["nodes"]:
            if node["kind"] == "dynamic" and node.get("region", {}).get("in_block"):
                self.block_regions.setdefault(node["parent"], []).append(node)
        self.absorbed = {a: n["id"] for n in plan["nodes"] if n["kind"] == "dynamic"
                         for a in n.get("region", {}).get("absorbs", ())}
        for per in self.members.values():  # their region calls them; never hand them out
            for name, queue in per.items():
                per[name] = deque(nid for nid in queue if nid not in self.absorbed)
        self.region_of: dict[str, str] = {rid: rid for rid in self.regions}
        self.expansions: dict[str, list[str]] = {rid: [] for rid in self.regions}
        self.calls: dict[tuple[str, str], int] = {}
        self.closed: set[str] = set()  # regions in block bodies that have ended
        for rid in (n["id"] for ns in self.block_regions.values() for n in ns):
            self.region_of.setdefault(rid, rid)
            self.expansions.setdefault(rid, [])

    # implemented by StaticExecution
    def start(self, nid: str, args: tuple[Any, ...], kwargs: dict[str, Any],
              name: str | None = None, node: Mapping[str, Any] | None = None,
              fp: str | None = None) -> Any:
        raise NotImplementedError

    def decode(self, value: Any, values: bool = False) -> Any:
        raise NotImplementedError

    def description(self, resources: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _kind(self, name: str | None) -> str:
        raise NotImplementedError

    def expansion_call(self, region: str, parent: str, name: str, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> Any:
        """A task the code of ``region`` calls (maybe inside a block it called)."""
        with self.lock:
            k = self.calls[(parent, name)] = self.calls.get((parent, name), 0) + 1
            nid = f"{parent}/{name}#{k}"
            self.region_of[nid] = region
            self.expansions[region].append(nid)
        info = self.nodes[region]["region"]["tasks"].get(name, {})
        options = {key: self.decode(v) for key, v in info.get("options", {}).items()}
        node = {"id": nid, "name": name, "kind": info.get("kind") or self._kind(name),
                "expansion": options}
        self.fps[nid] = fp = self._call_fingerprint(name, args, kwargs, options)
        return self.start(nid, args, kwargs, node=node, fp=fp)

    def _region_at_caller(self, block: str) -> str | None:
        """The region of ``block`` the running task call comes from, if any.

        The line of the call in the block's body (its frame in ``tasks.py``,
        mapped back to the module with the block's ``offset``) is inside the
        region's span; a call from below a region means that region has ended.
        """
        name = self.nodes[block]["name"]
        offset = self.plan["tasks"]["functions"][name].get("offset")
        frame = sys._getframe(2)
        while frame is not None and not (frame.f_code.co_name == name and
                                         frame.f_code.co_filename == self.ns.get("__file__")):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None or offset is None:
            return None
        line = frame.f_lineno + offset
        for node in self.block_regions[block]:
            rid, span = node["id"], node["span"]
            if span["line"] <= line <= span["end_line"]:
                return str(rid)
            if span["end_line"] < line and rid not in self.closed:
                self._close_region(node, block, None)
        return None

    def _close_region(self, node: Mapping[str, Any], block: str, future: Any) -> None:
        """A region in a block's body has ended (``future``: its block's, when that ended)."""
        rid = node["id"]
        with self.lock:
            if rid in self.closed:
                return
            self.closed.add(rid)
            expanded = list(self.expansions.get(rid, ()))
        self.journal.write("expansion", node=rid, nodes=expanded)
        if future is not None and future.cancelled():
            self.journal.write("cancelled", node=rid, error=f"its block {block} was cancelled")
            self.progress(rid, "cancelled")
        elif future is not None and future.exception() is not None:
            self.journal.write("failed", node=rid, error=f"its block {block} failed")
            self.progress(rid, "failed")
        else:
            self.journal.write("done", node=rid, detail="ran in its block's body")
            self.progress(rid, "done")

    def _call_fingerprint(self, name: str, args: Any, kwargs: Any, options: Any) -> str:
        """Like a planned node's: code, arguments, and the fingerprints of the futures in them."""
        def sub(value: Any) -> Any:
            if isinstance(value, asyncio.Future):
                nid = self.uids.get(getattr(value, "uid", ""))
                return ("$fp", self.fps.get(nid or "", "?"))
            if isinstance(value, list | tuple):
                return type(value)(sub(v) for v in value) if type(value) in (list, tuple) \
                    else [sub(v) for v in value]
            if isinstance(value, dict):
                return {k: sub(v) for k, v in value.items()}
            return value

        return call_fingerprint(name, self.code.get(name, ""), sub(args), sub(kwargs), options)

    def _expansion_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        assert self.engine is not None
        opts = dict(options)
        if isinstance(opts.get("task_description"), dict):
            opts["task_description"] = self.description(opts["task_description"])
        if opts.get("backend") not in self.engine.backends:
            opts.pop("backend", None)
        return opts

    def _region_body(self, node: Mapping[str, Any]) -> Callable[..., Any]:
        """The region's statement as a function of its inputs, defined in the plan's namespace."""
        nid, region = node["id"], node["region"]
        function = compile_region(region, sorted(node.get("kwargs", {})),
                                  self.plan["source"]["path"], self.ns)
        outputs = set(region["outputs"])

        def inputs() -> dict[str, Any]:
            return {k: self.decode(v, values=True) for k, v in node.get("kwargs", {}).items()}

        def bound(names: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in names.items() if k in outputs}

        if region["is_async"]:
            async def run_async(*_after: Any) -> dict[str, Any]:
                PLAN_BLOCK.set(nid)
                return bound(await function(**inputs()))

            return run_async

        def run(*_after: Any) -> dict[str, Any]:
            PLAN_BLOCK.set(nid)
            return bound(function(**inputs()))

        return run

    def _pick(self, region: Any, name: str) -> Any:
        """A future of ``region``'s output ``name`` (an in-process task, never journaled)."""
        assert self.engine is not None
        template = self.engine.function_task(cached_value, name=f"{name}<-region")
        return template(region, name, backend=CACHE_BACKEND)



def compile_region(region: Mapping[str, Any], params: list[str], filename: str,
                   namespace: dict[str, Any]) -> Callable[..., Any]:
    """``def __raf_region(<params>): <the region's statement>; return locals()``.

    The statement keeps its line numbers (tracebacks point into the module)
    and its globals are ``namespace``: the plan's task proxies and the helpers
    of ``tasks.py``.
    """
    code = region["code"]
    indented = code[:1].isspace()
    tree = ast.parse("if True:\n" + code if indented else code)
    stmt = tree.body[0].body[0] if indented else tree.body[0]  # type: ignore[attr-defined]
    ast.increment_lineno(stmt, region["line"] - stmt.lineno)
    keyword = "async def" if region["is_async"] else "def"
    wrapper = ast.parse(f"{keyword} __raf_region({', '.join(params)}):\n"
                        "    pass\n    return locals()\n")
    func = wrapper.body[0]
    func.body[0] = stmt  # type: ignore[attr-defined]
    scope: dict[str, Any] = {}
    exec(compile(wrapper, filename, "exec"), namespace, scope)
    return scope["__raf_region"]  # type: ignore[no-any-return]

