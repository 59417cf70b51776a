"""Expressions: constants, names, operators, containers, f-strings, subscripts.

Everything known at compile time is folded (with limits); everything else
becomes an :class:`Opaque` value that remembers the nodes it came from.
"""

from __future__ import annotations

import ast
from typing import Any

from . import constfold
from .base import EvaluatorBase
from .builtins import BUILTIN_NAMES
from .pyvalues import NotConst, from_py, hashable_key, to_py
from .scope import Frame
from .values import (
    BuiltinV,
    Const,
    DictV,
    FuncV,
    FutureV,
    Hole,
    ListV,
    Opaque,
    ResultV,
    SetV,
    TaskFnV,
    TemplateV,
    TupleV,
    Value,
    contains,
    deps,
    nondeterminism,
)


def opaque(text: str, *inputs: Value, maybe_task: bool = False) -> Opaque:
    found: set[int] = set()
    note = None
    for value in inputs:
        found |= deps(value)
        note = note or nondeterminism(value)
    return Opaque(frozenset(found), text, maybe_task, note)


def truth(value: Value) -> bool | None:
    """Truthiness when known at compile time, else None."""
    if isinstance(value, Const):
        return bool(value.value)
    if isinstance(value, ListV | SetV):
        return bool(value.items)
    if isinstance(value, TupleV):
        return bool(value.items)
    if isinstance(value, DictV):
        return bool(value.items)
    if isinstance(value, FuncV | TaskFnV | BuiltinV):
        return True
    return None


def has_call(nodes: list[ast.AST]) -> bool:
    return any(isinstance(n, ast.Call | ast.Await) for root in nodes for n in ast.walk(root))


class ExprMixin(EvaluatorBase):
    def expr(self, node: ast.expr, frame: Frame) -> Value:
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            return self.unsupported(node, frame, f"the expression `{type(node).__name__}`")
        result: Value = method(node, frame)
        return result

    def unsupported(self, node: ast.AST, frame: Frame, what: str) -> Value:
        return self.dynamic_region("unsupported", "RAF409", node, frame, (), [node], what=what)

    def e_Constant(self, node: ast.Constant, frame: Frame) -> Value:
        return Const(node.value)

    def e_Name(self, node: ast.Name, frame: Frame) -> Value:
        value = frame.env.lookup(node.id)
        if value is not None:
            return value
        if node.id == "__name__":
            return Const("__main__")
        if node.id == "__file__":
            return Const(self.state.source.path)
        if node.id in BUILTIN_NAMES:
            return BuiltinV(node.id)
        return self.missing_name(node.id, node)

    def missing_name(self, name: str, node: ast.AST) -> Value:
        defined = self.state.module_names.get(name)
        line = getattr(node, "lineno", 0)
        if defined is not None and defined > line:
            self.state.early_names.add(name)
            self.state.report("RAF303", node, name=name, defined=defined)
        elif not self.state.star_import:
            self.state.report("RAF302", node, name=name)
        return Opaque(frozenset(), name)

    def e_NamedExpr(self, node: ast.NamedExpr, frame: Frame) -> Value:
        value = self.expr(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def e_Lambda(self, node: ast.Lambda, frame: Frame) -> Value:
        return FuncV(node, frame.env, "<lambda>")

    def e_Await(self, node: ast.Await, frame: Frame) -> Value:
        return self.await_value(self.expr(node.value, frame), node, frame)

    # -- operators ---------------------------------------------------------
    def e_BinOp(self, node: ast.BinOp, frame: Frame) -> Value:
        left = self.expr(node.left, frame)
        right = self.expr(node.right, frame)
        return self.binop(type(node.op).__name__, left, right, node)

    def binop(self, op: str, left: Value, right: Value, node: ast.AST) -> Value:
        try:
            return from_py(constfold.binop(op, to_py(left), to_py(right)))
        except NotConst:
            return self.symbolic_binop(op, left, right, node)
        except (constfold.TooLarge, ArithmeticError, TypeError, ValueError):
            return opaque(self.text(node), left, right)

    def symbolic_binop(self, op: str, left: Value, right: Value, node: ast.AST) -> Value:
        if op == "Add" and isinstance(left, ListV) and isinstance(right, ListV):
            return ListV(left.items + right.items)
        if op == "Add" and isinstance(left, TupleV) and isinstance(right, TupleV):
            return TupleV(left.items + right.items)
        if op == "Add" and isinstance(node, ast.BinOp) and _concat(left, right):
            parts = _parts(left, self.text(node.left)) + _parts(right, self.text(node.right))
            return _template(parts)
        return opaque(self.text(node), left, right)

    def e_UnaryOp(self, node: ast.UnaryOp, frame: Frame) -> Value:
        operand = self.expr(node.operand, frame)
        op = type(node.op).__name__
        if op == "Not":
            known = truth(operand)
            if known is not None:
                return Const(not known)
        try:
            return from_py(constfold.UNARYOPS[op](to_py(operand)))
        except (NotConst, ArithmeticError, TypeError, ValueError, constfold.TooLarge):
            return opaque(self.text(node), operand)

    def e_BoolOp(self, node: ast.BoolOp, frame: Frame) -> Value:
        is_and = isinstance(node.op, ast.And)
        seen: list[Value] = []
        for i, operand in enumerate(node.values):
            value = self.expr(operand, frame)
            known = truth(value)
            if known is None:
                rest = node.values[i + 1 :]
                if has_call(list(rest)):
                    return self.dynamic_region("conditional", "RAF403", node, frame, [value],
                                               rest, what=f"`{self.text(node)}`",
                                               reason=self.reason(value))
                seen.append(value)
                seen.extend(self.expr(r, frame) for r in rest)
                return opaque(self.text(node), *seen)
            if known is not is_and or i == len(node.values) - 1:
                return value
        return Const(None)

    def e_Compare(self, node: ast.Compare, frame: Frame) -> Value:
        left = self.expr(node.left, frame)
        values = [left]
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators):
            right = self.expr(comparator, frame)
            values.append(right)
            try:
                result = result and constfold.CMPOPS[type(op).__name__](to_py(left), to_py(right))
            except (NotConst, TypeError, ValueError, ArithmeticError):
                return opaque(self.text(node), *values)
            left = right
        return Const(bool(result))

    def e_IfExp(self, node: ast.IfExp, frame: Frame) -> Value:
        test = self.expr(node.test, frame)
        known = truth(test)
        if known is not None:
            return self.expr(node.body if known else node.orelse, frame)
        if has_call([node.body, node.orelse]):
            return self.dynamic_region("conditional", "RAF403", node, frame, [test],
                                       [node.body, node.orelse], what=f"`{self.text(node)}`",
                                       reason=self.reason(test))
        return opaque(self.text(node), test, self.expr(node.body, frame),
                      self.expr(node.orelse, frame))

    def reason(self, value: Value) -> str:
        if isinstance(value, Opaque) and not value.deps:
            return f"`{value.text}` is only known at run time"
        names = sorted({self.state.nodes[i].name for i in deps(value)})
        if names:
            return "it uses the result of " + ", ".join(f"'{n}'" for n in names)
        return "its value is only known at run time"

    # -- containers --------------------------------------------------------
    def elements(self, nodes: list[ast.expr], frame: Frame) -> list[Value] | Opaque:
        items: list[Value] = []
        for elt in nodes:
            if isinstance(elt, ast.Starred):
                inner = self.expr(elt.value, frame)
                expanded = self.iterate(inner, elt)
                if expanded is None:
                    return opaque(self.text(elt), inner)
                items.extend(expanded)
            else:
                items.append(self.expr(elt, frame))
        return items

    def e_List(self, node: ast.List, frame: Frame) -> Value:
        items = self.elements(node.elts, frame)
        return items if isinstance(items, Opaque) else ListV(items)

    def e_Tuple(self, node: ast.Tuple, frame: Frame) -> Value:
        items = self.elements(node.elts, frame)
        return items if isinstance(items, Opaque) else TupleV(tuple(items))

    def e_Set(self, node: ast.Set, frame: Frame) -> Value:
        items = self.elements(node.elts, frame)
        return items if isinstance(items, Opaque) else make_set(items)

    def e_Dict(self, node: ast.Dict, frame: Frame) -> Value:
        result: dict[Any, Value] = {}
        seen: list[Value] = []
        for key_node, value_node in zip(node.keys, node.values):
            value = self.expr(value_node, frame)
            seen.append(value)
            if key_node is None:
                if not isinstance(value, DictV):
                    return opaque(self.text(node), *seen)
                result.update(value.items)
                continue
            key = self.expr(key_node, frame)
            seen.append(key)
            try:
                result[hashable_key(key)] = value
            except (NotConst, TypeError):
                return opaque(self.text(node), *seen, maybe_task=contains(value, (TaskFnV,)))
        return DictV(result)

    # -- strings -----------------------------------------------------------
    def e_JoinedStr(self, node: ast.JoinedStr, frame: Frame) -> Value:
        parts: list[str | Hole] = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
            elif isinstance(piece, ast.FormattedValue):
                parts.extend(self.formatted(piece, frame))
        return _template(parts)

    def formatted(self, node: ast.FormattedValue, frame: Frame) -> list[str | Hole]:
        value = self.expr(node.value, frame)
        spec = self.expr(node.format_spec, frame) if node.format_spec else Const("")
        try:
            py = to_py(value)
            conv: Any = {115: str, 114: repr, 97: ascii}.get(node.conversion, _same)
            constfold.check_call("format", [py, to_py(spec)])
            return [format(conv(py), to_py(spec))]
        except (NotConst, TypeError, ValueError, constfold.TooLarge):
            if isinstance(value, TemplateV) and node.conversion == -1 and not node.format_spec:
                return list(value.parts)
            note = nondeterminism(value)
            return [Hole(self.text(node.value), frozenset(deps(value)), note)]

    # -- subscripts and slices -----------------------------------------------
    def e_Slice(self, node: ast.Slice, frame: Frame) -> Value:
        parts = [self.expr(p, frame) if p else Const(None) for p in (node.lower, node.upper,
                                                                       node.step)]
        try:
            return Const(slice(*(to_py(p) for p in parts)))
        except NotConst:
            return opaque(self.text(node), *parts)

    def e_Starred(self, node: ast.Starred, frame: Frame) -> Value:
        return self.expr(node.value, frame)


def make_set(items: list[Value]) -> Value:
    unique: dict[Any, Value] = {}
    for item in items:
        try:
            unique.setdefault(hashable_key(item), item)
        except (NotConst, TypeError):
            return opaque("{...}", *items)
    try:
        keys = sorted(unique)
    except TypeError:
        keys = sorted(unique, key=repr)
    return SetV([unique[k] for k in keys])


def _is_str(value: Value) -> bool:
    return isinstance(value, TemplateV) or (isinstance(value, Const)
                                            and isinstance(value.value, str))


def _concat(left: Value, right: Value) -> bool:
    """String concatenation with a run-time side (kept as a template)."""
    runtime = (TemplateV, Opaque, FutureV, ResultV)
    return (_is_str(left) or _is_str(right)) and all(
        _is_str(v) or isinstance(v, runtime) for v in (left, right))


def _parts(value: Value, text: str) -> list[str | Hole]:
    if isinstance(value, Const):
        return [str(value.value)]
    if isinstance(value, TemplateV):
        return list(value.parts)
    return [Hole(text, frozenset(deps(value)), nondeterminism(value))]


def _template(parts: list[str | Hole]) -> Value:
    merged: list[str | Hole] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    if all(isinstance(p, str) for p in merged):
        return Const("".join(p for p in merged if isinstance(p, str)))
    return TemplateV(tuple(merged))


def _same(value: Any) -> Any:
    return value
