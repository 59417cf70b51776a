"""Calls of imported names: the engine, asyncio, pure stdlib helpers, everything else.

Only a fixed table of stdlib functions is ever applied, and only to constants.
Any other imported callable yields a run-time value; if it receives the engine
or a task, or comes from a user module that defines tasks, the call is a
dynamic region (it may create tasks the compiler cannot see).
"""

from __future__ import annotations

import ast
import itertools
import math
import os.path
import posixpath
import shlex
from typing import Any

from ..ir import BackendDecl, PilotDecl
from ..ir.values import has_tag
from .pyvalues import NotConst, to_py
from .scope import Frame, StopModule
from .values import (
    AwaitableV,
    Const,
    CoroV,
    DecoratorV,
    EngineV,
    ExternalV,
    FileV,
    ListV,
    Opaque,
    TaskFnV,
    TupleV,
    Value,
    contains,
)

ENGINE_MODULE = "radical.asyncflow"
#: built-in backend classes -> the kind a plan records (``raf run`` starts one per name)
BACKEND_KINDS = {"LocalExecutionBackend": "local", "ConcurrentExecutionBackend": "local",
                 "ThreadExecutionBackend": "local", "DaskExecutionBackend": "dask",
                 "RadicalExecutionBackend": "radical.pilot", "NoopExecutionBackend": "noop"}
NONDETERMINISTIC_PREFIXES = (
    "time.time", "time.monotonic", "time.perf_counter", "time.process_time", "time.ctime",
    "time.localtime", "time.gmtime", "time.strftime", "datetime.datetime.now",
    "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "datetime.now", "datetime.today", "date.today", "uuid.uuid1", "uuid.uuid4", "uuid4",
    "uuid1", "random.", "secrets.", "os.getpid", "os.urandom", "os.times",
    "numpy.random.", "np.random.", "tempfile.",
)
DYNAMIC_CODE = ("importlib.", "runpy.", "pkgutil.", "imp.", "builtins.exec", "builtins.eval")
EXITS = {"sys.exit", "os._exit", "os.abort"}
PURE_EXTERNALS: dict[str, Any] = {
    **{f"math.{n}": getattr(math, n) for n in (
        "sqrt", "ceil", "floor", "log", "log2", "log10", "exp", "fabs", "isqrt", "prod",
        "comb", "perm", "gcd", "lcm", "sin", "cos", "tan", "hypot", "trunc", "isclose")},
    "os.path.join": posixpath.join, "os.path.basename": posixpath.basename,
    "os.path.dirname": posixpath.dirname, "os.path.splitext": posixpath.splitext,
    "os.path.normpath": posixpath.normpath, "os.path.split": os.path.split,
    "posixpath.join": posixpath.join, "shlex.quote": shlex.quote, "shlex.join": shlex.join,
    "shlex.split": shlex.split,
}
MATH_CONSTANTS = {"math.pi": math.pi, "math.e": math.e, "math.tau": math.tau,
                  "math.inf": math.inf, "os.sep": "/", "os.pathsep": ":"}


class ExternalsMixin:
    """Mixed into the evaluator; see :mod:`.evaluator`."""

    def call_external(self: Any, ext: ExternalV, args: list[Value], kwargs: dict[str, Value],
                      node: ast.Call, frame: Frame) -> Value:
        name = ext.qualname
        if name.startswith(ENGINE_MODULE) and name.rsplit(".", 1)[-1] in FILE_CLASSES:
            return file_value(name.rsplit(".", 1)[-1], args, kwargs)
        if name.startswith(ENGINE_MODULE) or name in {"WorkflowEngine", "WorkflowEngine.create"}:
            if name.endswith("RadicalExecutionBackend"):
                self.record_pilot(args, kwargs, node)
            if name.rsplit(".", 1)[-1] in BACKEND_KINDS:
                self.record_backend(BACKEND_KINDS[name.rsplit(".", 1)[-1]], args, kwargs, node)
            return self.engine_call(name, node)
        if name.startswith("asyncio."):
            return self.asyncio_call(name[len("asyncio."):], args, kwargs, node, frame)
        if name in EXITS:
            raise StopModule
        if name.startswith(DYNAMIC_CODE):
            return self.dynamic_region("dynamic-code", "RAF407", node, frame, args, [node],
                                       what=f"`{self.text(node.func)}()`")
        if name.startswith(NONDETERMINISTIC_PREFIXES):
            return Opaque(frozenset(), self.text(node), nondeterministic=f"`{name}()`")
        return self.other_call(ext, args, kwargs, node, frame)

    def other_call(self: Any, ext: ExternalV, args: list[Value], kwargs: dict[str, Value],
                   node: ast.Call, frame: Frame) -> Value:
        name = ext.qualname
        if name in PURE_EXTERNALS:
            return self.pure(PURE_EXTERNALS[name], args, kwargs, node)
        if name.startswith("itertools."):
            result = self.itertools_call(name[len("itertools."):], args, kwargs, node)
            if result is not None:
                return result
        escaping = [*args, *kwargs.values()]
        leaks = any(contains(v, (EngineV, TaskFnV, DecoratorV)) for v in escaping)
        from_tasks = ext.user_module is not None and ext.user_module in self.imports.task_modules
        if leaks or from_tasks:
            what = "the engine or a task" if leaks else "control"
            return self.dynamic_region("imported-call", "RAF408", node, frame, escaping, [node],
                                       what=what, callee=name)
        return self.runtime(node, args, kwargs)

    def record_pilot(self: Any, args: list[Value], kwargs: dict[str, Value],
                     node: ast.Call) -> None:
        """Remember a ``RadicalExecutionBackend({...})``: the RAF5xx target and plan pilot."""
        given = args[0] if args else kwargs.get("resources", Const(None))
        try:
            desc = to_py(given)
            name = to_py(kwargs.get("name", Const(None)))
        except NotConst:
            desc, name = None, None
        desc = {} if desc is None and given == Const(None) else desc
        ok = isinstance(desc, dict) and all(isinstance(k, str) for k in desc)
        self.state.pilots.append(PilotDecl(self.state.call_span(node), desc if ok else None,
                                           name if isinstance(name, str) else None))

    def record_backend(self: Any, kind: str, args: list[Value], kwargs: dict[str, Value],
                       node: ast.Call) -> None:
        """Remember a built-in backend and its constant configuration (plans start it)."""
        try:
            name = to_py(kwargs.get("name", Const(None)))
        except NotConst:
            return  # a name computed at run time: the plan cannot route to it
        from .encode import encode_const

        try:
            config: dict[str, Any] | None = encode_const({
                "args": [to_py(a) for a in args],
                "kwargs": {k: to_py(v) for k, v in sorted(kwargs.items()) if k != "name"}})
            if has_tag(config, ("$object",)):
                config = None
        except (NotConst, TypeError, ValueError):
            config = None
        self.state.backends.append(BackendDecl(kind, name if isinstance(name, str) else None,
                                               config, self.state.call_span(node)))

    def branch_pilots(self: Any, body: list[ast.stmt], frame: Frame) -> None:
        """``RadicalExecutionBackend({...})`` in a branch decided at run time (the backend
        picked from the environment): its constant description still names the target."""
        for root in body:
            for sub in ast.walk(root):
                if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)):
                    continue
                callee = frame.env.lookup(sub.func.id)
                if not (isinstance(callee, ExternalV) and callee.qualname.startswith(
                        ENGINE_MODULE) and callee.qualname.endswith("RadicalExecutionBackend")):
                    continue
                parts = [*sub.args, *(k.value for k in sub.keywords)]
                if any(isinstance(a, ast.Starred) for a in sub.args) or \
                        self.may_create_nodes(parts, frame):
                    continue
                args = [self.expr(a, frame) for a in sub.args]
                kwargs = {k.arg: self.expr(k.value, frame) for k in sub.keywords if k.arg}
                self.record_pilot(args, kwargs, sub)

    def engine_call(self: Any, name: str, node: ast.Call) -> Value:
        self.state.engines += 1
        text = self.text(node)
        if name.endswith("WorkflowEngine.create"):
            return AwaitableV(EngineV(text))
        if name.endswith("WorkflowEngine"):
            return EngineV(text)
        return Opaque(frozenset(), text)

    def asyncio_call(self: Any, name: str, args: list[Value], kwargs: dict[str, Value],
                     node: ast.Call, frame: Frame) -> Value:
        if name == "run" and args and isinstance(args[0], CoroV):
            return self.run_coroutine(args[0], frame)  # type: ignore[no-any-return]
        if name == "gather":
            return AwaitableV(ListV([self.await_value(a, node, frame) for a in args]))
        if name in {"create_task", "ensure_future", "wait_for", "shield"} and args:
            return AwaitableV(self.await_value(args[0], node, frame))
        if name == "sleep":
            return AwaitableV(Const(None))
        return self.runtime(node, args, kwargs)

    def itertools_call(self: Any, name: str, args: list[Value], kwargs: dict[str, Value],
                       node: ast.AST) -> Value | None:
        sized = name in {"combinations", "permutations"}
        columns = [self.materialize(a, node) for a in (args[:1] if sized else args)]
        if not columns or any(c is None for c in columns):
            return None
        seqs: list[list[Value]] = columns  # type: ignore[assignment]
        try:
            if name == "product":
                repeat = int(to_py(kwargs.get("repeat", Const(1))))
                rows = itertools.product(*seqs, repeat=repeat)
            elif name in {"combinations", "permutations"} and len(seqs) == 1:
                size = to_py(args[1]) if len(args) > 1 else None
                rows = getattr(itertools, name)(seqs[0], size)
            elif name == "chain":
                return ListV([v for seq in seqs for v in seq])
            else:
                return None
            return ListV([TupleV(tuple(r)) for r in itertools.islice(rows, 1_000_001)])
        except Exception:
            return None


FILE_CLASSES = {"InputFile": "in", "OutputFile": "out"}


def file_value(cls: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
    """``InputFile(...)``/``OutputFile(...)``, named as the runtime names them.

    A URL stays the URL (downloads are never linked by name); otherwise an
    ``InputFile``'s ``name=`` replaces its path, as at run time.
    """
    given = args[0] if args else kwargs.get("path_or_url", kwargs.get("name", Const(None)))
    if cls == "InputFile" and "name" in kwargs and args and not _is_url_value(given):
        given = kwargs["name"]
    return FileV(FILE_CLASSES[cls], given)


def _is_url_value(value: Value) -> bool:
    text = value.value if isinstance(value, Const) else None
    return isinstance(text, str) and "://" in text


def constant_attribute(qualname: str) -> Value | None:
    value = MATH_CONSTANTS.get(qualname)
    return None if value is None else Const(value)
