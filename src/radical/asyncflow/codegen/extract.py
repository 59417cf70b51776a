"""Extract the code of a module's tasks into a self-contained ``tasks.py``, statically.

A plan never re-runs the module's workflow body, so the plan directory must
carry the code of every task the graph uses: the task definitions (decorators
removed, nested definitions lifted to module level) plus, transitively, the
module-level imports, constants and helpers they reference.  Nothing is
imported or executed: the module is parsed with ``ast`` and the names a
definition uses are found with :mod:`symtable` (which only compiles to a
symbol table, it runs nothing).

What cannot be reproduced this way is reported as ``RAF701``: a name bound in
an enclosing function (``main()``'s locals), the workflow engine, a module
value computed by calling tasks, or a name defined nowhere.

Each task also gets a ``sha256`` of its own code plus the code of everything it
depends on; :mod:`radical.asyncflow.runtime.fingerprint` uses it, so editing a
helper re-runs the tasks that call it on ``raf run --resume``.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import hashlib
import symtable
from collections.abc import Sequence

from ..compiler.diagnostics import make
from ..ir import Diagnostic, Span, Workflow

_DECORATORS = {"function_task": "function", "executable_task": "executable", "block": "block"}
_ENGINE_NAMES = {"WorkflowEngine"}
_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__"}


@dataclasses.dataclass(frozen=True, slots=True)
class Extracted:
    """The pieces of ``tasks.py`` in source order, one digest per task name, and the findings."""

    parts: tuple[str, ...]
    digests: dict[str, str]
    kinds: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]
    #: module-level names dynamic regions use (``extra``): name -> digest of its code
    #: and everything it uses; ``problems``: name -> why it cannot be extracted
    extra_digests: dict[str, str] = dataclasses.field(default_factory=dict)
    problems: dict[str, str] = dataclasses.field(default_factory=dict)
    #: tasks defined at module level (copied verbatim): name -> line of ``def`` in the module
    def_lines: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(slots=True)
class _Def:
    name: str
    kind: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    code: str
    enclosing: set[str]  # names bound by enclosing functions (closure variables)


def extract(workflow: Workflow, text: str, extra: Sequence[str] = ()) -> Extracted:
    """Extract every task of the module ``text`` (``workflow`` is its compiled graph).

    ``extra``: module-level names (helpers, imports) that dynamic regions call;
    they are extracted too, or their problem is reported in ``problems``.
    """
    tree = ast.parse(text)
    lines = text.splitlines()
    defs: dict[str, _Def] = {}
    for found in _task_defs(tree, lines):  # every task, also those only dynamic regions call
        defs.setdefault(found.name, found)
    top = _top_level(tree, lines)
    engines = _engine_names(tree)
    diags: list[Diagnostic] = []
    closure: dict[str, set[int]] = {}
    for name in sorted(defs):
        closure[name] = _closure(defs[name], defs, top, engines, workflow.path, diags)
    extra_digests: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in sorted(set(extra)):
        needed = _name_closure(name, defs, top, engines)
        if isinstance(needed, str):
            problems[name] = needed
        else:
            closure["\0" + name] = needed
            extra_digests[name] = _digest("", [top[i][1] for i in sorted(needed)])
    chosen = sorted(set().union(*closure.values()) if closure else set())
    parts = [top[i][1] for i in chosen] + [defs[n].code for n in _by_line(defs)]
    digests = {n: _digest(defs[n].code, [top[i][1] for i in sorted(closure[n])]) for n in defs}
    kinds = {n: d.kind for n, d in defs.items()}
    def_lines = {n: d.node.lineno for n, d in defs.items() if d.node.col_offset == 0}
    return Extracted(tuple(parts), digests, kinds, tuple(diags), extra_digests, problems,
                     def_lines)


def _name_closure(name: str, defs: dict[str, _Def], top: dict[int, tuple[set[str], str, ast.stmt]],
                  engines: set[str]) -> set[int] | str:
    """The statements a region's module-level ``name`` needs, or why it cannot have them."""
    stub = ast.parse("def _(): pass").body[0]
    assert isinstance(stub, ast.FunctionDef)
    holder = _Def(name, "helper", stub, "", set())
    diags: list[Diagnostic] = []
    where = {n: i for i, (names, _, _) in top.items() for n in names}
    if name not in where:
        return f"'{name}' is not defined by a module-level statement"
    problem = _problem(name, holder, where, top, engines | set(defs))
    if problem:
        return problem.replace("it uses", "the region uses")
    code = top[where[name]][1]
    needed = _closure(dataclasses.replace(holder, code=code), defs, top, engines, "", diags)
    if diags:
        return f"'{name}' needs code that cannot be extracted"
    return needed | {where[name]}


def _by_line(defs: dict[str, _Def]) -> list[str]:
    return sorted(defs, key=lambda n: (defs[n].node.lineno, n))


def _digest(code: str, deps: list[str]) -> str:
    h = hashlib.sha256(code.encode())
    for dep in deps:
        h.update(b"\0" + dep.encode())
    return h.hexdigest()


def _task_kind(node: ast.AST) -> str | None:
    for dec in getattr(node, "decorator_list", ()):
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute) and target.attr in _DECORATORS:
            return _DECORATORS[target.attr]
    return None


def _task_defs(tree: ast.Module, lines: list[str]) -> list[_Def]:
    """Decorated task definitions anywhere in the module, with their enclosing scopes."""
    found: list[_Def] = []
    stack: list[tuple[ast.AST, set[str]]] = [(tree, set())]
    while stack:
        scope, enclosing = stack.pop()
        for child in ast.iter_child_nodes(scope):
            inner = enclosing
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                kind = _task_kind(child)
                if kind is not None:
                    found.append(_Def(child.name, kind, child, _def_code(child, lines), enclosing))
                inner = enclosing | _bound_in(child)
            stack.append((child, inner))
    return found


def _bound_in(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    table = symtable.symtable(ast.unparse(_undecorated(func)), "<extract>", "exec")
    child = table.get_children()[0]
    return {s.get_name() for s in child.get_symbols() if s.is_local()}


def _undecorated(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    copy = ast.parse(ast.unparse(func)).body[0]
    copy.decorator_list = []  # type: ignore[attr-defined]
    return copy


def _def_code(func: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> str:
    """The definition without decorators: verbatim at module level, re-printed when nested."""
    if func.col_offset == 0 and func.end_lineno is not None:
        return "\n".join(lines[func.lineno - 1 : func.end_lineno])
    return ast.unparse(_undecorated(func))


def _top_level(tree: ast.Module, lines: list[str]) -> dict[int, tuple[set[str], str, ast.stmt]]:
    """Module-level statements that bind names: index -> (names, code, node)."""
    out: dict[int, tuple[set[str], str, ast.stmt]] = {}
    for i, stmt in enumerate(tree.body):
        names = _binds(stmt)
        if names and stmt.end_lineno is not None:
            out[i] = (names, "\n".join(lines[stmt.lineno - 1 : stmt.end_lineno]), stmt)
    return out


def _binds(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            return {"__future__"}
        return {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"}
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return set() if _task_kind(stmt) else {stmt.name}
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _engine_names(tree: ast.Module) -> set[str]:
    """Names bound to the engine: ``flow = WorkflowEngine(...)`` / ``await ...create()``."""
    names = set(_ENGINE_NAMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _mentions(node.value, _ENGINE_NAMES):
            names.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _mentions(expr: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(expr))


def _globals_of(code: str) -> set[str]:
    """Names a statement reads from module scope, found by the symbol table."""
    found: set[str] = set()
    table = symtable.symtable(code, "<extract>", "exec")
    stack = [table]
    while stack:
        current = stack.pop()
        for sym in current.get_symbols():
            top = current.get_type() == "module"
            if sym.is_referenced() and (sym.is_global() or (top and not sym.is_assigned())):
                found.add(sym.get_name())
        stack.extend(current.get_children())
    return found


def _closure(
    task: _Def,
    defs: dict[str, _Def],
    top: dict[int, tuple[set[str], str, ast.stmt]],
    engines: set[str],
    path: str,
    diags: list[Diagnostic],
) -> set[int]:
    """Indices of the module statements ``task`` needs, transitively; RAF701 otherwise."""
    where = {name: i for i, (names, _, _) in top.items() for name in names}
    needed: set[int] = {where["__future__"]} if "__future__" in where else set()
    todo = sorted(_globals_of(task.code))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name in defs:
            continue
        seen.add(name)
        problem = _problem(name, task, where, top, engines | set(defs))
        if problem:
            diags.append(make("RAF701", _span(path, task.node), task=task.name, detail=problem))
            continue
        if name in where and where[name] not in needed:
            needed.add(where[name])
            todo.extend(sorted(_globals_of(top[where[name]][1]) - seen))
    return needed


def _problem(
    name: str,
    task: _Def,
    where: dict[str, int],
    top: dict[int, tuple[set[str], str, ast.stmt]],
    engines: set[str],
) -> str:
    if name in engines - set(where):
        return f"it uses '{name}', the workflow engine"
    if name in engines and isinstance(top[where[name]][2], ast.Assign | ast.AnnAssign) \
            and _mentions(getattr(top[where[name]][2], "value", ast.Constant(0)), _ENGINE_NAMES):
        return f"it uses '{name}', the workflow engine"
    if name in where:
        stmt = top[where[name]][2]
        value = getattr(stmt, "value", None)
        if (value is not None and _mentions(value, engines)) or _is_workflow(stmt):
            return f"it uses '{name}', which the workflow body computes at run time"
        return ""
    if name in task.enclosing:
        return f"it uses '{name}' from the enclosing function, not from the module"
    if name in _BUILTINS:
        return ""
    return f"'{name}' is not defined at module level"


def _is_workflow(stmt: ast.stmt) -> bool:
    value = getattr(stmt, "value", None)
    if value is None:
        return False
    return any(
        isinstance(n, ast.Await)
        or (isinstance(n, ast.Attribute) and n.attr in ("result", "submit"))
        for n in ast.walk(value)
    )


def _span(path: str, node: ast.AST) -> Span:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0) + 1
    return Span(path, line, col, getattr(node, "end_lineno", line) or line, col)
