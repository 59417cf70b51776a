"""Statements: assignment, definitions, imports, ``with``, ``try``, jumps."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from .base import EvaluatorBase
from .imports import ImportResolver
from .pyvalues import NotConst, hashable_key
from .scope import (
    BreakSignal,
    ContinueSignal,
    Frame,
    ReturnSignal,
    StopModule,
)
from .values import (
    TASK_KINDS,
    AwaitableV,
    Const,
    DecoratorV,
    DictV,
    EngineV,
    FuncV,
    ListV,
    Opaque,
    TaskFnV,
    Value,
    deps,
)


class StmtMixin(EvaluatorBase):
    imports: ImportResolver

    def exec_body(self, body: Sequence[ast.stmt], frame: Frame) -> None:
        marks = self.state.stmt_marks
        for stmt in body:
            method = getattr(self, "s_" + type(stmt).__name__, None)
            marks.append((stmt, len(self.state.nodes)))
            try:
                if method is None:
                    self.unsupported_stmt(stmt, frame)
                else:
                    method(stmt, frame)
            finally:
                marks.pop()

    def unsupported_stmt(self, stmt: ast.stmt, frame: Frame) -> None:
        self.dynamic_region("unsupported", "RAF409", stmt, frame, (), [stmt],
                            what=f"the statement `{type(stmt).__name__}`")

    # -- simple statements ---------------------------------------------------
    def s_Expr(self, node: ast.Expr, frame: Frame) -> None:
        self.expr(node.value, frame)

    def s_Pass(self, node: ast.Pass, frame: Frame) -> None:
        return None

    def s_Break(self, node: ast.Break, frame: Frame) -> None:
        raise BreakSignal

    def s_Continue(self, node: ast.Continue, frame: Frame) -> None:
        raise ContinueSignal

    def s_Return(self, node: ast.Return, frame: Frame) -> None:
        raise ReturnSignal(self.expr(node.value, frame) if node.value else Const(None))

    def s_Raise(self, node: ast.Raise, frame: Frame) -> None:
        raise StopModule

    def s_Assert(self, node: ast.Assert, frame: Frame) -> None:
        self.expr(node.test, frame)

    def s_Global(self, node: ast.Global, frame: Frame) -> None:
        frame.env.declared_global.update(node.names)

    def s_Nonlocal(self, node: ast.Nonlocal, frame: Frame) -> None:
        return None

    def s_Delete(self, node: ast.Delete, frame: Frame) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                frame.env.delete(target.id)

    # -- assignment --------------------------------------------------------------
    def s_Assign(self, node: ast.Assign, frame: Frame) -> None:
        value = self.expr(node.value, frame)
        for target in node.targets:
            self.assign(target, value, frame)

    def s_AnnAssign(self, node: ast.AnnAssign, frame: Frame) -> None:
        if node.value is not None:
            self.assign(node.target, self.expr(node.value, frame), frame)

    def s_AugAssign(self, node: ast.AugAssign, frame: Frame) -> None:
        load = _as_load(node.target)
        current = self.expr(load, frame)
        value = self.expr(node.value, frame)
        op = type(node.op).__name__
        if op == "Add" and isinstance(current, ListV):
            items = self.iterate(value, node.value)
            if items is not None:
                current.items.extend(items)
                return
        self.assign(node.target, self.binop(op, current, value, node), frame)

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.env.assign(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            self.unpack(target, value, frame)
        elif isinstance(target, ast.Subscript):
            self.store_item(target, value, frame)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, frame)

    def unpack(self, target: ast.Tuple | ast.List, value: Value, frame: Frame) -> None:
        items = self.iterate(value, target)
        listed = list(items) if items is not None else None
        starred = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
        if listed is None or (not starred and len(listed) != len(target.elts)):
            for elt in target.elts:
                self.assign(elt, Opaque(frozenset(deps(value)), self.text(elt)), frame)
            return
        if starred:
            i = starred[0]
            tail = len(target.elts) - i - 1
            middle = ListV(listed[i: len(listed) - tail])
            listed = [*listed[:i], middle, *listed[len(listed) - tail:]]
        for elt, item in zip(target.elts, listed):
            self.assign(elt, item, frame)

    def store_item(self, target: ast.Subscript, value: Value, frame: Frame) -> None:
        container = self.expr(target.value, frame)
        index = self.expr(target.slice, frame)
        try:
            key = hashable_key(index)
        except (NotConst, TypeError):
            key = None
        if _settable(container, key):
            container.items[key] = value  # type: ignore[attr-defined]
        elif isinstance(target.value, ast.Name):
            found = deps(container) | deps(index) | deps(value)
            frame.env.assign(target.value.id, Opaque(frozenset(found), target.value.id))

    # -- definitions -----------------------------------------------------------
    def s_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> None:
        value: Value = FuncV(node, frame.env, node.name)
        for dec in reversed(node.decorator_list):
            value = self.decorate(self.expr(dec, frame), value, dec, node, frame)
        frame.env.assign(node.name, value)

    s_AsyncFunctionDef = s_FunctionDef

    def decorate(self, dec: Value, value: Value, dec_node: ast.expr,
                 node: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> Value:
        if not isinstance(value, FuncV):
            return value
        if isinstance(dec, DecoratorV):
            return self.make_task(dec, value, node)
        kind = _syntactic_kind(dec_node)
        if kind is not None:
            engine_text = self.text(dec_node).split(".")[0].lstrip("@")
            self.state.report("RAF207", dec_node, decorator=self.text(dec_node),
                              engine=engine_text)
            return self.make_task(DecoratorV(EngineV(engine_text, known=False), kind), value,
                                  node)
        if isinstance(dec, FuncV):
            return self.call_function(dec, [value], {}, dec_node, frame)
        return value

    def make_task(self, dec: DecoratorV, func: FuncV,
                  node: ast.FunctionDef | ast.AsyncFunctionDef) -> TaskFnV:
        self.state.defined_tasks[node.lineno] = node.name
        options = dict(dec.options)
        self.check_options(options, node)
        return TaskFnV(func, dec.kind, dec.engine, options, node.lineno)

    def s_ClassDef(self, node: ast.ClassDef, frame: Frame) -> None:
        frame.env.assign(node.name, Opaque(frozenset(), node.name))

    # -- imports -------------------------------------------------------------------
    def s_Import(self, node: ast.Import, frame: Frame) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            qual = alias.name if alias.asname else alias.name.split(".")[0]
            frame.env.assign(bound, self.imports.external(qual, 0))

    def s_ImportFrom(self, node: ast.ImportFrom, frame: Frame) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.state.star_import = True
                continue
            qual = f"{module}.{alias.name}" if module else alias.name
            frame.env.assign(alias.asname or alias.name,
                             self.imports.external(qual, node.level, module))

    # -- compound statements -------------------------------------------------------
    def s_With(self, node: ast.With | ast.AsyncWith, frame: Frame) -> None:
        entered: list[EngineV] = []
        for item in node.items:
            value = self.expr(item.context_expr, frame)
            if isinstance(value, AwaitableV):
                value = value.value
            if isinstance(value, EngineV):
                entered.append(value)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, frame)
        self.exec_body(node.body, frame)
        for engine in entered:
            engine.closed_at = node.end_lineno or node.lineno

    s_AsyncWith = s_With

    def s_Try(self, node: ast.Try, frame: Frame) -> None:
        try:
            self.exec_body(node.body, frame)
        except StopModule:
            self.exec_body(node.finalbody, frame)
            return
        self.exec_body(node.orelse, frame)
        self.exec_body(node.finalbody, frame)

    s_TryStar = s_Try


def _as_load(target: ast.expr) -> ast.expr:
    copy = type(target)(**{f: getattr(target, f) for f in target._fields})
    copy.ctx = ast.Load()  # type: ignore[attr-defined]
    ast.copy_location(copy, target)
    copy.end_lineno = target.end_lineno
    copy.end_col_offset = target.end_col_offset
    return copy


def _syntactic_kind(dec: ast.expr) -> str | None:
    """``function`` for ``@x.function_task`` or ``@x.function_task(...)``, else None."""
    func = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(func, ast.Attribute) and func.attr in TASK_KINDS:
        return TASK_KINDS[func.attr]
    return None


def _settable(container: Value, key: object) -> bool:
    if isinstance(container, DictV):
        return key is not None
    if isinstance(container, ListV) and isinstance(key, int):
        return -len(container.items) <= key < len(container.items)
    return False
