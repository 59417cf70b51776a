"""Loops, comprehensions, conditions and dynamic regions.

Loops over compile-time sequences are unrolled (bounded by the node cap and
an iteration budget).  Anything whose shape depends on run-time data becomes
one ``dynamic`` node: it depends on the nodes its inputs and free variables
come from, and every name it assigns afterwards depends on it.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from .base import EvaluatorBase
from .eval_expr import truth
from .pyvalues import NotConst, from_py, hashable_key
from .regions import describe
from .scope import BreakSignal, ContinueSignal, DynamicJump, Env, Frame
from .state import BudgetExceeded
from .values import (
    Const,
    DecoratorV,
    DictV,
    EngineV,
    ExternalV,
    FuncV,
    ListV,
    Opaque,
    RangeV,
    SetV,
    TaskFnV,
    TupleV,
    Value,
    deps,
)

MUTATORS = {"append", "extend", "insert", "update", "add", "setdefault", "pop", "remove",
            "clear", "discard", "sort", "reverse"}
NODE_MAKERS = (TaskFnV, FuncV, DecoratorV, EngineV)


class _DynamicComprehension(Exception):
    def __init__(self, code: str, value: Value) -> None:
        self.code = code
        self.value = value


class LoopsMixin(EvaluatorBase):
    # -- iteration -----------------------------------------------------------
    def iterate(self, value: Value, node: ast.AST) -> Iterator[Value] | None:
        if isinstance(value, ListV | TupleV | SetV):
            return iter(list(value.items))
        if isinstance(value, DictV):
            return iter([from_py(k) for k in value.items])
        if isinstance(value, RangeV):
            return (Const(i) for i in range(value.start, value.stop, value.step))
        if isinstance(value, Const) and isinstance(value.value, str | bytes | tuple):
            return (from_py(v) for v in value.value)
        return None

    # -- for -------------------------------------------------------------------
    def s_For(self, node: ast.For | ast.AsyncFor, frame: Frame) -> None:
        iterable = self.expr(node.iter, frame)
        items = self.iterate(iterable, node.iter)
        if items is None:
            self.dynamic_region("for-loop", "RAF401", node, frame, [iterable], [node],
                                what=f"`for {self.text(node.target)} in {self.text(node.iter)}`",
                                reason=self.reason(iterable))
            return
        self.unroll(node, items, frame, isinstance(iterable, SetV))

    s_AsyncFor = s_For

    def unroll(self, node: ast.For | ast.AsyncFor, items: Iterator[Value], frame: Frame,
               over_set: bool) -> None:
        mark = len(self.state.nodes)
        self.state.unrolling += 1
        try:
            finished = self.run_iterations(node, items, frame)
        except DynamicJump as jump:
            del self.state.nodes[mark:]
            what = f"`{jump.reason}` in the loop on line {node.lineno}"
            self.dynamic_region("for-loop", "RAF403", node, frame, [], [node], what=what,
                                reason="it jumps out of the loop on a run-time condition")
            return
        except BudgetExceeded as exc:
            if self.state.unrolling > 1:
                raise
            self.budget_region(node, frame, exc)
            return
        finally:
            self.state.unrolling -= 1
        if finished:
            self.exec_body(node.orelse, frame)
        if over_set and len(self.state.nodes) > mark:
            self.state.report("RAF602", node.iter)

    def run_iterations(self, node: ast.For | ast.AsyncFor, items: Iterator[Value],
                       frame: Frame) -> bool:
        for item in items:
            self.state.tick()
            self.assign(node.target, item, frame)
            try:
                self.exec_body(node.body, frame)
            except BreakSignal:
                return False
            except ContinueSignal:
                continue
        return True

    def budget_region(self, node: ast.AST, frame: Frame, exc: BudgetExceeded) -> None:
        self.state.exhausted = True
        self.dynamic_region("unrolled-remainder", "RAF405", node, frame, [], [node],
                            count=f"{exc.count:,}", what=exc.what,
                            region=f"the loop on line {getattr(node, 'lineno', 0)}")

    # -- while, if, match ------------------------------------------------------
    def s_While(self, node: ast.While, frame: Frame) -> None:
        test = self.expr(node.test, frame)
        if truth(test) is False:
            self.exec_body(node.orelse, frame)
            return
        self.dynamic_region("while-loop", "RAF402", node, frame, [test], [node])

    def s_If(self, node: ast.If, frame: Frame) -> None:
        test = self.expr(node.test, frame)
        known = truth(test)
        if known is not None:
            self.exec_body(node.body if known else node.orelse, frame)
            return
        self.runtime_branch(node, [*node.body, *node.orelse], test, frame,
                            f"`if {self.text(node.test)}`")

    def runtime_branch(self, node: ast.AST, body: list[ast.stmt], test: Value, frame: Frame,
                       what: str) -> None:
        jump = first_jump(body)
        if jump is not None and self.state.unrolling:
            raise DynamicJump(jump)
        if jump is None and not self.may_create_nodes(body, frame):
            self.branch_pilots(body, frame)  # type: ignore[attr-defined]
            self.taint(body, frame, deps(test))
            return
        self.dynamic_region("if", "RAF403", node, frame, [test], body, what=what,
                            reason=self.reason(test))

    def s_Match(self, node: ast.Match, frame: Frame) -> None:
        subject = self.expr(node.subject, frame)
        body = [stmt for case in node.cases for stmt in case.body]
        self.runtime_branch(node, body, subject, frame, f"`match {self.text(node.subject)}`")

    def may_create_nodes(self, body: Sequence[ast.AST], frame: Frame) -> bool:
        for root in body:
            for sub in ast.walk(root):
                if isinstance(sub, ast.Await | ast.Yield | ast.YieldFrom):
                    return True
                if isinstance(sub, ast.Call) and self._maker(sub.func, frame):
                    return True
        return False

    def _maker(self, func: ast.expr, frame: Frame) -> bool:
        base = func
        while isinstance(base, ast.Attribute | ast.Subscript | ast.Call):
            base = base.value if not isinstance(base, ast.Call) else base.func
        if not isinstance(base, ast.Name):
            return True
        value = frame.env.lookup(base.id)
        if isinstance(value, NODE_MAKERS):
            return True
        if isinstance(value, ExternalV):
            return value.user_module is not None or value.qualname.startswith("asyncio")
        if isinstance(value, Opaque) and value.maybe_task:
            return True
        return value is None and base.id in {"map", "eval", "exec", "filter"}

    # -- comprehensions ----------------------------------------------------------
    def e_ListComp(self, node: ast.ListComp, frame: Frame) -> Value:
        return self.comprehension(node, frame)

    e_SetComp = e_ListComp
    e_GeneratorExp = e_ListComp
    e_DictComp = e_ListComp

    def comprehension(self, node: Any, frame: Frame) -> Value:
        inner = dataclasses.replace(frame, env=Env(frame.env))
        out: list[Any] = []
        mark = len(self.state.nodes)
        self.state.unrolling += 1
        try:
            self.comp_level(node, 0, inner, out)
        except _DynamicComprehension as dyn:
            del self.state.nodes[mark:]
            what = f"`{self.text(node)}`"
            kind = "RAF401" if dyn.code == "RAF401" else "RAF403"
            return self.dynamic_region("comprehension", kind, node, frame, [dyn.value], [node],
                                       what=what, reason=self.reason(dyn.value))
        except BudgetExceeded as exc:
            if self.state.unrolling > 1:
                raise
            self.budget_region(node, frame, exc)
            return Opaque(frozenset({len(self.state.nodes) - 1}), self.text(node))
        finally:
            self.state.unrolling -= 1
        return self.comp_result(node, out)

    def comp_level(self, node: Any, level: int, frame: Frame, out: list[Any]) -> None:
        gen = node.generators[level]
        iterable = self.expr(gen.iter, frame)
        items = self.iterate(iterable, gen.iter)
        if items is None:
            raise _DynamicComprehension("RAF401", iterable)
        mark = len(self.state.nodes)
        for item in items:
            self.state.tick()
            self.assign(gen.target, item, frame)
            if self.comp_filters(gen, frame):
                self.comp_leaf(node, level, frame, out)
        if isinstance(iterable, SetV) and len(self.state.nodes) > mark:
            self.state.report("RAF602", gen.iter)

    def comp_filters(self, gen: ast.comprehension, frame: Frame) -> bool:
        for cond in gen.ifs:
            value = self.expr(cond, frame)
            known = truth(value)
            if known is None:
                raise _DynamicComprehension("RAF403", value)
            if not known:
                return False
        return True

    def comp_leaf(self, node: Any, level: int, frame: Frame, out: list[Any]) -> None:
        if level + 1 < len(node.generators):
            self.comp_level(node, level + 1, frame, out)
        elif isinstance(node, ast.DictComp):
            out.append((self.expr(node.key, frame), self.expr(node.value, frame)))
        else:
            out.append(self.expr(node.elt, frame))

    def comp_result(self, node: Any, out: list[Any]) -> Value:
        from .eval_expr import make_set, opaque

        if isinstance(node, ast.SetComp):
            return make_set(out)
        if isinstance(node, ast.DictComp):
            result: dict[Any, Value] = {}
            for key, value in out:
                try:
                    result[hashable_key(key)] = value
                except (NotConst, TypeError):
                    return opaque(self.text(node), *(v for pair in out for v in pair))
            return DictV(result)
        return ListV(out)

    # -- dynamic regions ---------------------------------------------------------
    def dynamic_region(self, construct: str, code: str, node: ast.AST, frame: Frame,
                       inputs: Sequence[Value] = (), body: Sequence[ast.AST] = (),
                       **fields: object) -> Value:
        found: set[int] = set()
        for value in inputs:
            found |= deps(value)
            self.mark_called(value)
        found |= self.free_deps(body, frame)
        raw = self.state.new_node("dynamic", construct, node, frame.parent, force=True)
        raw.after = {i for i in found if i < raw.index}
        self.state.report(code, node, (), **fields)
        raw.reason = self.state.diagnostics[-1].message
        raw.region, raw.kwargs = describe(self.state, construct, code, node, frame, raw.index)
        self.taint(body, frame, {raw.index},
                   raw.index if "code" in raw.region else None)
        return Opaque(frozenset({raw.index}), self.text(node))

    def free_deps(self, body: Sequence[ast.AST], frame: Frame) -> set[int]:
        found: set[int] = set()
        names = {n.id for root in body for n in ast.walk(root)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for name in sorted(names):
            value = frame.env.lookup(name)
            if value is not None:
                self.mark_called(value)
                found |= deps(value)
        return found

    def mark_called(self, value: Value) -> None:
        """Tasks reachable from a value handed to a dynamic region count as called."""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, TaskFnV):
                self.state.called_defs.add(item.def_line)
            elif isinstance(item, ListV | TupleV | SetV):
                stack.extend(item.items)
            elif isinstance(item, DictV):
                stack.extend(item.items.values())

    def taint(self, body: Sequence[ast.AST], frame: Frame, sources: set[int],
              region: int | None = None) -> None:
        """Names ``body`` binds now depend on ``sources``; a liftable ``region`` returns them."""
        for name in sorted(assigned_names(body)):
            old = frame.env.lookup(name)
            live = len(self.state.nodes)
            old_deps = {i for i in deps(old) if i < live} if old is not None else set()
            bound = (region, name) if region is not None else None
            frame.env.assign(name, Opaque(frozenset(sources | old_deps), name, bound_by=bound))


def assigned_names(body: Sequence[ast.AST]) -> set[str]:
    """Names a region binds or mutates (not counting nested function bodies)."""
    found: set[str] = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            if not isinstance(node, ast.Lambda):
                found.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif _mutated_name(node):
            found.add(_mutated_name(node))  # type: ignore[arg-type]
        stack.extend(ast.iter_child_nodes(node))
    return found


def first_jump(body: Sequence[ast.AST]) -> str | None:
    """``break``/``continue``/``return`` in ``body`` outside nested loops and functions."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break | ast.Continue | ast.Return):
            return type(node).__name__.lower()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.Return))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return None


def _mutated_name(node: ast.AST) -> str | None:
    """``x`` in ``x.append(...)`` or ``x[k] = ...``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = node.func.value
        if node.func.attr in MUTATORS and isinstance(target, ast.Name):
            return target.id
    stored = isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    if stored and isinstance(node.value, ast.Name):  # type: ignore[attr-defined]
        return node.value.id  # type: ignore[attr-defined]
    return None
