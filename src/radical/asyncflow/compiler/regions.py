"""What a plan needs to run one dynamic region by itself, without the rest of the module.

A dynamic region is workflow code whose tasks depend on run-time values (a
``while`` loop, a ``for`` loop over a result, an ``if`` on a result).  The plan
cannot list its tasks, but it can carry the region's *code* and where each
name the code reads comes from, so that ``raf run`` executes that statement
and nothing else of the workflow body:

* **inputs** (the dynamic node's ``kwargs``): every name the region reads that
  holds data at that point, encoded like any argument, so ``{"$result": id}``
  is the value of planned node ``id`` and ``{"$future": id}`` its future;
* **globals**: module-level helpers, imports and classes the code calls; the
  plan's ``tasks.py`` carries them (see ``codegen.extract``);
* **tasks**: the tasks the code calls, with their decorator options;
* **absorbs**: nodes that evaluating the statement's own header created (the
  ``check()`` of ``while check().result():``).  The region calls them itself,
  as often as the module would, so the runner skips their planned copy;
* **outputs**: the names the region binds (its value, for the journal).

Only whole statements at module level (or in a plain function the module
calls) can be lifted out this way.  A region in a block's own body is not
lifted (the block's body runs it) but gets ``{"in_block": true, "tasks",
"absorbs"}`` so that the runner can tell its calls from the block's planned
members.  Anything else gets ``{"unsupported": why}`` and the plan falls back
to running the module (``codegen.plan``).
"""

from __future__ import annotations

import ast
import builtins
import symtable
from typing import Any

from ..ir.values import RUNTIME, has_tag
from .encode import encode
from .scope import Frame
from .state import State
from .values import (
    BuiltinV,
    Const,
    DictV,
    EngineV,
    ExternalV,
    FileV,
    FuncV,
    FutureV,
    ListV,
    Opaque,
    RangeV,
    ResultV,
    SetV,
    TaskFnV,
    TupleV,
    Value,
    deps,
)

#: (construct, diagnostic code) pairs whose region is a whole, not yet evaluated statement
LIFTABLE = {("for-loop", "RAF401"), ("while-loop", "RAF402"), ("if", "RAF403")}
_DATA = (Const, ListV, TupleV, SetV, DictV, RangeV, FutureV, ResultV, FileV)
_BUILTINS = frozenset(dir(builtins))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class _NotLiftable(Exception):
    pass


def describe(state: State, construct: str, code: str, node: ast.AST, frame: Frame,
             index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(region, inputs) of the dynamic node ``index`` made for ``node``."""
    try:
        return _describe(state, construct, code, node, frame, index)
    except _NotLiftable as exc:
        return {"unsupported": str(exc)}, {}


def _describe(state: State, construct: str, code: str, node: ast.AST, frame: Frame,
              index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    if frame.parent is not None:
        return _in_block(state, node, frame, index), {}
    if (construct, code) not in LIFTABLE or not isinstance(node, ast.stmt):
        raise _NotLiftable("only a whole `for`, `while`, `if` or `match` statement can run "
                           "without the rest of the module")
    text = _statement_text(state, node)
    _check_jumps(node)
    absorbs = _absorbed(state, node, index)
    reads, binds = _names(node)
    from .eval_loops import assigned_names

    binds |= assigned_names([node])  # `x.append(...)` changes x: the region returns it
    inputs: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    globals_: list[str] = []
    for name in sorted(reads | binds):
        value = frame.env.lookup(name)
        if value is None:
            if name in binds or name in _BUILTINS:
                continue
            raise _NotLiftable(f"it reads '{name}', which is not defined where it starts")
        if name in binds and name not in reads:
            continue  # only assigned: its value before the region does not matter
        if isinstance(value, _DATA) or (isinstance(value, Opaque) and value.bound_by):
            inputs[name] = _input(name, value, absorbs)
        elif isinstance(value, BuiltinV):
            continue
        elif isinstance(value, TaskFnV):
            tasks[name] = _task(name, value)  # tasks.py has every task, nested ones too
        elif isinstance(value, FuncV | ExternalV):
            if frame.env.module.vars.get(name) is not value:
                raise _NotLiftable(f"it uses '{name}', which is not a module-level name")
            globals_.append(name)
        elif isinstance(value, EngineV):
            raise _NotLiftable(f"it uses the workflow engine '{name}'")
        else:
            raise _NotLiftable(f"it reads '{name}', which only the workflow body computes")
    region = {
        "code": text,
        "line": node.lineno,
        "is_async": _is_async(node),
        "outputs": sorted(binds),
        "globals": globals_,
        "tasks": tasks,
        "absorbs": sorted(absorbs),
    }
    return region, inputs


def _in_block(state: State, node: ast.AST, frame: Frame, index: int) -> dict[str, Any]:
    """A region in a block's own body: the block runs its code; the plan names its tasks.

    The runner tells the region's calls from the block's planned members by
    the line they come from, so the block's definition must be verbatim in
    ``tasks.py`` (at module level) and the region directly in its body.
    """
    func = frame.func
    block = state.nodes[frame.parent] if frame.parent is not None else None
    if func is None or block is None or block.name != func.name or func.node.col_offset != 0:
        raise _NotLiftable("it is in a function a block calls, or in a block defined inside "
                           "another function")
    reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    tasks = {}
    for name in sorted(reads):
        value = frame.env.lookup(name)
        if isinstance(value, TaskFnV):
            tasks[name] = _task(name, value)
    return {"in_block": True, "tasks": tasks, "absorbs": sorted(_absorbed(state, node, index))}


def _statement_text(state: State, node: ast.stmt) -> str:
    """The statement's lines, verbatim; it must have them to itself."""
    lines = state.source.lines
    first, last = node.lineno, node.end_lineno or node.lineno
    before = lines[first - 1][: state.source.char_col(first, node.col_offset)]
    after = lines[last - 1][state.source.char_col(last, node.end_col_offset or 0):]
    if before.strip() or (after.strip() and not after.strip().startswith("#")):
        raise _NotLiftable("it shares a line with other statements")
    return "\n".join(lines[first - 1 : last])


def _check_jumps(node: ast.stmt) -> None:
    """``return``/``yield``/``global``/``nonlocal``, or a loop jump leaving the statement."""
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        item, in_loop = stack.pop()
        if isinstance(item, ast.Return | ast.Yield | ast.YieldFrom | ast.Global | ast.Nonlocal):
            raise _NotLiftable(f"it contains `{type(item).__name__.lower()}`, which acts on "
                               "the code around it")
        if isinstance(item, ast.Break | ast.Continue) and not in_loop:
            raise _NotLiftable(f"its `{type(item).__name__.lower()}` leaves the statement")
        if isinstance(item, _SCOPES):
            continue
        inner = in_loop or isinstance(item, ast.For | ast.AsyncFor | ast.While)
        stack.extend((child, inner) for child in ast.iter_child_nodes(item))


def _absorbed(state: State, node: ast.AST, index: int) -> set[int]:
    """Nodes evaluating this statement made before the region (its header's tasks)."""
    for stmt, mark in reversed(state.stmt_marks):
        if stmt is node:
            return set(range(mark, index))
    return set()


def _names(node: ast.stmt) -> tuple[set[str], set[str]]:
    """(names read from outside, names bound) by the statement, from its symbol table."""
    try:
        table = symtable.symtable(ast.unparse(node), "<region>", "exec")
    except (SyntaxError, RecursionError, ValueError) as exc:
        raise _NotLiftable(f"its code cannot be analysed on its own ({type(exc).__name__})") \
            from None
    reads: set[str] = set()
    binds: set[str] = set()
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            binds.add(sym.get_name())
        if sym.is_referenced():
            reads.add(sym.get_name())
    reads.update(n.target.id for n in ast.walk(node)  # `x += 1` reads x (symtable: no)
                 if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name))
    stack = list(table.get_children())
    while stack:
        child = stack.pop()
        for sym in child.get_symbols():
            if sym.is_global() or (sym.is_free() and sym.get_name() in binds):
                reads.add(sym.get_name())
        stack.extend(child.get_children())
    return reads, binds


def _is_async(node: ast.stmt) -> bool:
    stack: list[ast.AST] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Await | ast.AsyncFor | ast.AsyncWith):
            return True
        if isinstance(item, _SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(item))
    return False


def _input(name: str, value: Value, absorbs: set[int]) -> Any:
    if deps(value) & absorbs:
        raise _NotLiftable(f"it reads '{name}', which its own header computed")
    encoded = encode(value)
    if has_tag(encoded, (RUNTIME, "$object")):
        raise _NotLiftable(f"it reads '{name}', which only the workflow body computes")
    return encoded


def _task(name: str, value: TaskFnV) -> dict[str, Any]:
    if value.func.name != name:
        raise _NotLiftable(f"it calls the task '{value.func.name}' under another name, '{name}'")
    options: dict[str, Any] = {}
    for key, option in sorted(value.options.items()):
        encoded = encode(option)
        if has_tag(encoded, (RUNTIME, "$object", "$future", "$result")):
            raise _NotLiftable(f"the task '{name}' has an option computed at run time ({key})")
        options[key] = encoded
    return {"kind": value.kind, "options": options}

