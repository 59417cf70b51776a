"""Task and block calls: the nodes of the graph.

A call of a decorated function creates one node.  Its ``after`` set is every
node the arguments were computed from (futures, results, run-time values,
anywhere in nested containers); ``task_description=`` and ``workflow_id=`` are
call options, not data.  An executable's body is evaluated with its arguments
resolved, to get its command (a template when parts are run-time values).  A
block's body is evaluated at once, in the block's context: nodes it creates
have the block as ``parent``, and its value is the block node itself.
"""

from __future__ import annotations

import ast
import json
import posixpath
import urllib.parse
from typing import Any

from ..data import URL_SCHEMES
from ..ir import Related
from .binding import bind, param_default
from .encode import command_text, encode
from .scope import BlockCall, Env, Frame
from .values import (
    Const,
    DictV,
    FileV,
    FutureV,
    ListV,
    Opaque,
    ResultV,
    SetV,
    TaskFnV,
    TemplateV,
    TupleV,
    Value,
    deps,
    file_refs,
    nondeterminism,
)

CALL_OPTIONS = ("task_description", "workflow_id", "backend")
DECORATOR_OPTIONS = {"task_description": dict, "retries": int, "timeout": (int, float),
                     "backend": str, "service": bool}
POSITIVE = {"ranks", "cores_per_rank", "cores", "nodes", "processes", "cpu_processes",
            "threads", "cpu_threads", "threads_per_process", "cpu_threads_per_process"}
NON_NEGATIVE = {"gpus_per_rank", "gpus", "gpu_processes", "gpus_per_process",
                "mem_per_rank", "memory", "mem_per_process"}


def resolve(value: Value) -> Value:
    """The value a body sees: futures replaced by their results, deeply."""
    if isinstance(value, FutureV):
        return ResultV(value.node)
    if isinstance(value, ListV):
        return ListV([resolve(v) for v in value.items])
    if isinstance(value, TupleV):
        return TupleV(tuple(resolve(v) for v in value.items))
    if isinstance(value, SetV):
        return SetV([resolve(v) for v in value.items])
    if isinstance(value, DictV):
        return DictV({k: resolve(v) for k, v in value.items.items()})
    if isinstance(value, FileV):  # the body gets a path under the engine's work_dir
        kind = "InputFile" if value.direction == "in" else "OutputFile"
        return Opaque(frozenset(deps(value)), f"{kind}({value.literal or '...'!r})")
    return value


class TasksMixin:
    """Mixed into the evaluator; see :mod:`.evaluator`."""

    def call_task(self: Any, task: TaskFnV, args: list[Value], kwargs: dict[str, Value],
                  node: ast.Call, frame: Frame, unknown_star: bool = False) -> Value:
        name = task.func.name
        self.state.called_defs.add(task.def_line)
        if task.engine.closed_at is not None:
            self.state.report("RAF304", node, name=name, line=task.engine.closed_at)
            return Opaque(frozenset(), self.text(node))
        data = {k: v for k, v in kwargs.items() if k not in CALL_OPTIONS}
        if not unknown_star:
            self.check_binding(task, args, data, node)
        if task.kind == "block" and self.block_cycle(task, args, data, node, frame):
            return Opaque(frozenset(), self.text(node))
        raw = self.state.new_node(task.kind, name, node, frame.parent)
        for value in [*args, *data.values()]:
            raw.after |= deps(value)
        raw.args = [encode(a) for a in args]
        raw.kwargs = {k: encode(v) for k, v in data.items()}
        raw.resources = self.resources(task, kwargs.get("task_description"), node, frame)
        raw.options = {k: encode(v) for k, v in sorted(task.options.items())
                       if k != "task_description"}
        raw.backend = _backend(kwargs.get("backend"), task.options.get("backend"))
        if task.kind != "block":
            self.file_edges(raw, [*args, *data.values()])
        self.check_determinism([*args, *data.values()], node)
        if task.kind == "executable":
            self.command(task, raw, args, data, node, frame)
        elif task.kind == "block":
            self.run_block(task, raw.index, args, data, node, frame)
        return FutureV(raw.index)

    def file_edges(self: Any, raw: Any, values: list[Value]) -> None:
        """``OutputFile("x")`` then ``InputFile("x")``: an edge from the latest producer."""
        refs = file_refs(values)
        producers = self.state.file_producers
        for ref in refs:
            name = ref.literal
            if ref.direction == "in" and name and not _is_url(name):
                raw.inputs.append(name)
                producer = producers.get(posixpath.normpath(name))
                if producer is not None and producer != raw.index:
                    raw.after.add(producer)
        for ref in refs:
            name = ref.literal
            if ref.direction == "out" and name:
                raw.outputs.append(name)
                producers[posixpath.normpath(name)] = raw.index

    def check_binding(self: Any, task: TaskFnV, args: list[Value], kwargs: dict[str, Value],
                      node: ast.Call) -> None:
        _, problems = bind(task.func.node.args, args, kwargs, lambda e: Const(None))
        if problems:
            self.state.report("RAF206", node, kind=f"{task.kind} task" if task.kind != "block"
                              else "block", name=task.func.name, detail="; ".join(problems))

    def check_determinism(self: Any, values: list[Value], node: ast.AST) -> None:
        for value in values:
            note = nondeterminism(value)
            if note:
                self.state.report("RAF601", node, what=note)
                return

    # -- resources ---------------------------------------------------------------
    def resources(self: Any, task: TaskFnV, call_desc: Value | None, node: ast.AST,
                  frame: Frame) -> dict[str, Any]:
        merged: dict[Any, Value] = {}
        for desc in (self.definition_description(task), call_desc):
            if desc is None or desc == Const(None):
                continue
            if not isinstance(desc, DictV):
                self.state.report("RAF501", node, name=task.func.name,
                                  reason=f"`{getattr(desc, 'text', 'value')}` is not a dict "
                                  "literal")
                continue
            merged.update(desc.items)
        self.check_resources(task.func.name, merged, node)
        encoded = encode(DictV(merged))
        return encoded if isinstance(encoded, dict) else {"$dict": encoded}

    def definition_description(self: Any, task: TaskFnV) -> Value | None:
        if "task_description" in task.options:
            return task.options["task_description"]  # type: ignore[no-any-return]
        default = param_default(task.func.node.args, "task_description")
        if default is None:
            return None
        return self.expr(default, Frame(env=task.func.env))  # type: ignore[no-any-return]

    def check_resources(self: Any, name: str, desc: dict[Any, Value], node: ast.AST) -> None:
        for key, value in desc.items():
            if not isinstance(key, str) or not (key in POSITIVE or key in NON_NEGATIVE):
                continue
            if not isinstance(value, Const):
                self.state.report("RAF501", node, name=name,
                                  reason=f"'{key}' is only known at run time")
                continue
            problem = _count_problem(value.value, 1 if key in POSITIVE else 0)
            if problem:
                self.state.report("RAF502", node, key=key, name=name, detail=problem)

    def check_options(self: Any, options: dict[str, Value], node: ast.AST) -> None:
        name = getattr(node, "name", "task")
        for key, value in options.items():
            expected = DECORATOR_OPTIONS.get(key)
            if expected is None:
                continue
            if isinstance(value, Const) and not _is_type(value.value, expected):
                self.state.report("RAF202", node, decorator=name,
                                  detail=f"{key}={value.value!r} has the wrong type")
            elif key in {"retries", "timeout"} and isinstance(value, Const):
                minimum = 0 if key == "retries" else 1e-9
                problem = _count_problem(value.value, minimum, integral=key == "retries")
                if problem:
                    self.state.report("RAF502", node, key=key, name=name, detail=problem)

    # -- executables and blocks --------------------------------------------------
    def command(self: Any, task: TaskFnV, raw: Any, args: list[Value],
                kwargs: dict[str, Value], node: ast.Call, frame: Frame) -> None:
        value = self.run_task_body(task, args, kwargs, node, frame, raw.parent, frame.blocks)
        text = command_text(value)
        if text is None and isinstance(value, Opaque | ResultV | TemplateV):
            text = ("{" + getattr(value, "text", "result") + "}", True)
        if text is None:
            kind = type(value.value).__name__ if isinstance(value, Const) else "no string"
            self.state.report("RAF204", task.func.node, name=task.func.name,
                              detail=f"returns {kind}, not a command string")
            return
        raw.command, raw.command_template = text

    def run_task_body(self: Any, task: TaskFnV, args: list[Value], kwargs: dict[str, Value],
                      node: ast.AST, frame: Frame, parent: int | None,
                      blocks: tuple[BlockCall, ...]) -> Value:
        is_async = isinstance(task.func.node, ast.AsyncFunctionDef)
        inner = Frame(env=Env(task.func.env), parent=parent, func=task.func, is_async=is_async,
                      depth=frame.depth + 1, blocks=blocks)
        resolved = [resolve(a) for a in args]
        kw_resolved = {k: resolve(v) for k, v in kwargs.items()}
        bound, _ = bind(task.func.node.args, resolved, kw_resolved,
                        lambda e: self.expr(e, Frame(env=task.func.env)))
        inner.env.vars.update(bound)
        return self.run_body(task.func.node.body, inner)  # type: ignore[no-any-return]

    def run_block(self: Any, task: TaskFnV, index: int, args: list[Value],
                  kwargs: dict[str, Value], node: ast.Call, frame: Frame) -> None:
        call = BlockCall(task, node.lineno, node.col_offset, _call_key(args, kwargs))
        self.run_task_body(task, args, kwargs, node, frame, index, (*frame.blocks, call))

    def block_cycle(self: Any, task: TaskFnV, args: list[Value], kwargs: dict[str, Value],
                    node: ast.Call, frame: Frame) -> bool:
        key = _call_key(args, kwargs)
        chain = list(frame.blocks)
        starts = [i for i, b in enumerate(chain) if b.task is task and b.key == key]
        if not starts:
            return False
        cycle = chain[starts[0]:]
        names = [b.task.func.name for b in cycle] + [task.func.name]
        related = tuple(
            Related(self.state.span(_at(b.line, b.col)), f"'{b.task.func.name}' is called here")
            for b in cycle[1:])
        self.state.report("RAF301", node, related=related, cycle=" -> ".join(names))
        return True


def _backend(*choices: Value | None) -> str | None:
    """The first literal backend name: the call's ``backend=``, then the decorator's."""
    for choice in choices:
        if isinstance(choice, Const) and isinstance(choice.value, str):
            return choice.value
    return None


def _is_url(name: str) -> bool:
    return urllib.parse.urlsplit(name).scheme.lower() in URL_SCHEMES


def _call_key(args: list[Value], kwargs: dict[str, Value]) -> str:
    return json.dumps([[encode(a) for a in args], {k: encode(v) for k, v in kwargs.items()}],
                      sort_keys=True, default=str)


def _at(line: int, col: int) -> ast.AST:
    node = ast.Pass()
    node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = line, col, line, col
    return node


def _is_type(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) and expected is not bool:
        return False
    return value is None or isinstance(value, expected)


def _count_problem(value: Any, minimum: float, integral: bool = True) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{value!r} is not a number"
    if integral and not float(value).is_integer():
        return f"{value!r} is not a whole number"
    if value < minimum:
        return f"{value!r} is below {minimum:g}"
    return None
