"""Attributes, subscripts and methods of built-in containers and strings."""

from __future__ import annotations

import ast
from typing import Any

from .base import EvaluatorBase
from .constfold import TooLarge, check_method
from .eval_expr import opaque
from .externals import constant_attribute
from .pyvalues import NotConst, from_py, hashable_key, to_py
from .scope import Frame
from .values import (
    TASK_KINDS,
    Const,
    DecoratorV,
    DictV,
    EngineV,
    ExternalV,
    FuncV,
    FutureV,
    ListV,
    MethodV,
    ModuleGlobalsV,
    Opaque,
    RangeV,
    SetV,
    TaskFnV,
    TupleV,
    Value,
    contains,
)

ENGINE_METHODS = {"shutdown", "workflow_scope", "subscribe", "create", "validate"}
FUTURE_METHODS = {"result", "done", "exception", "cancel", "cancelled", "add_done_callback"}
STR_METHODS = {
    "format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit",
    "replace", "startswith", "endswith", "zfill", "ljust", "rjust", "center", "title",
    "capitalize", "count", "find", "rfind", "index", "splitlines", "removeprefix",
    "removesuffix", "isdigit", "isalpha", "isalnum", "partition", "rpartition", "casefold",
    "swapcase", "expandtabs", "isidentifier", "isspace", "islower", "isupper", "encode",
    "decode", "hex", "bit_length", "is_integer", "real", "imag", "conjugate",
}
LIST_METHODS = {"append", "extend", "insert", "pop", "copy", "index", "count", "reverse",
                "remove", "clear", "sort"}
DICT_METHODS = {"get", "items", "keys", "values", "update", "setdefault", "pop", "copy",
                "clear"}
SET_METHODS = {"add", "update", "discard", "remove", "copy", "union", "intersection"}


class AccessMixin(EvaluatorBase):
    def e_Attribute(self, node: ast.Attribute, frame: Frame) -> Value:
        return self.attribute(self.expr(node.value, frame), node.attr, node)

    def attribute(self, obj: Value, attr: str, node: ast.AST) -> Value:
        if isinstance(obj, EngineV):
            if attr in TASK_KINDS:
                return DecoratorV(obj, TASK_KINDS[attr], (), f"{obj.text}.{attr}")
            return MethodV(obj, attr) if attr in ENGINE_METHODS else Opaque(frozenset(),
                                                                             self.text(node))
        if isinstance(obj, ExternalV):
            qualname = f"{obj.qualname}.{attr}"
            return constant_attribute(qualname) or ExternalV(qualname, obj.user_module)
        if isinstance(obj, FutureV):
            if attr in FUTURE_METHODS:
                return MethodV(obj, attr)
            return Opaque(frozenset(), self.text(node))
        if isinstance(obj, ModuleGlobalsV):
            found = self.state_lookup(attr)
            return found if found is not None else self.missing_global(attr, node)
        if isinstance(obj, TaskFnV | FuncV) and attr == "__name__":
            return Const(obj.func.name if isinstance(obj, TaskFnV) else obj.name)
        if self.has_method(obj, attr):
            return MethodV(obj, attr)
        maybe = isinstance(obj, Opaque) and obj.maybe_task
        return opaque(self.text(node), obj, maybe_task=maybe)

    def state_lookup(self, name: str) -> Value | None:
        return self.module_env.vars.get(name)

    def missing_global(self, name: str, node: ast.AST) -> Value:
        return Opaque(frozenset(), self.text(node), maybe_task=True)

    @property
    def module_env(self) -> Any:
        raise NotImplementedError

    def has_method(self, obj: Value, attr: str) -> bool:
        if isinstance(obj, Const):
            return attr in STR_METHODS and hasattr(obj.value, attr)
        if isinstance(obj, ListV):
            return attr in LIST_METHODS
        if isinstance(obj, DictV):
            return attr in DICT_METHODS
        if isinstance(obj, SetV):
            return attr in SET_METHODS
        return isinstance(obj, TupleV) and attr in {"index", "count"}

    # -- subscripts ----------------------------------------------------------
    def e_Subscript(self, node: ast.Subscript, frame: Frame) -> Value:
        obj = self.expr(node.value, frame)
        index = self.expr(node.slice, frame)
        return self.subscript(obj, index, node)

    def subscript(self, obj: Value, index: Value, node: ast.AST) -> Value:
        if isinstance(obj, DictV):
            return self.dict_item(obj, index, node)
        if isinstance(obj, ExternalV) and obj.qualname == "sys.modules":
            return ModuleGlobalsV() if index == Const("__main__") else opaque(self.text(node))
        if isinstance(obj, ModuleGlobalsV):
            if isinstance(index, Const) and isinstance(index.value, str):
                return self.attribute(obj, index.value, node)
            return Opaque(frozenset(), self.text(node), maybe_task=True)
        if isinstance(obj, ListV | TupleV) and isinstance(index, Const):
            return self.sequence_item(obj, index.value, node)
        if isinstance(obj, Const | RangeV) and isinstance(index, Const):
            try:
                return from_py(to_py(obj)[index.value])
            except (TypeError, IndexError, KeyError, ValueError, NotConst, TooLarge):
                pass
        maybe = contains(obj, (TaskFnV,)) or (isinstance(obj, Opaque) and obj.maybe_task)
        return opaque(self.text(node), obj, index, maybe_task=maybe)

    def dict_item(self, obj: DictV, index: Value, node: ast.AST) -> Value:
        try:
            key = hashable_key(index)
        except (NotConst, TypeError):
            return opaque(self.text(node), obj, index, maybe_task=contains(obj, (TaskFnV,)))
        if key in obj.items:
            return obj.items[key]
        return Opaque(frozenset(), self.text(node))

    def sequence_item(self, obj: ListV | TupleV, index: Any, node: ast.AST) -> Value:
        items = obj.items
        try:
            if isinstance(index, slice):
                part = items[index]
                return ListV(list(part)) if isinstance(obj, ListV) else TupleV(tuple(part))
            return items[index]  # type: ignore[no-any-return]
        except (TypeError, IndexError):
            return opaque(self.text(node), obj)

    # -- methods of containers and constants ---------------------------------
    def call_method(self, method: MethodV, args: list[Value], kwargs: dict[str, Value],
                    node: ast.Call, frame: Frame) -> Value:
        obj = method.obj
        if isinstance(obj, ListV):
            return self.list_method(obj, method.name, args, node)
        if isinstance(obj, DictV):
            return self.dict_method(obj, method.name, args, node)
        if isinstance(obj, SetV):
            return self.set_method(obj, method.name, args, node)
        return self.const_method(obj, method.name, args, kwargs, node)

    def list_method(self, obj: ListV, name: str, args: list[Value], node: ast.AST) -> Value:
        if name == "append" and len(args) == 1:
            obj.items.append(args[0])
            return Const(None)
        if name == "extend" and len(args) == 1:
            items = self.iterate(args[0], node)
            if items is not None:
                obj.items.extend(items)
                return Const(None)
        if name == "insert" and len(args) == 2 and isinstance(args[0], Const):
            obj.items.insert(args[0].value, args[1])
            return Const(None)
        if name == "copy":
            return ListV(list(obj.items))
        if name == "pop" and obj.items and not args:
            return obj.items.pop()
        return opaque(self.text(node), obj, *args)

    def dict_method(self, obj: DictV, name: str, args: list[Value], node: ast.AST) -> Value:
        if name == "items":
            return ListV([TupleV((from_py(k), v)) for k, v in obj.items.items()])
        if name == "keys":
            return ListV([from_py(k) for k in obj.items])
        if name == "values":
            return ListV(list(obj.items.values()))
        if name == "copy":
            return DictV(dict(obj.items))
        if name == "update" and len(args) == 1 and isinstance(args[0], DictV):
            obj.items.update(args[0].items)
            return Const(None)
        if name in {"get", "setdefault", "pop"} and args:
            return self._dict_get(obj, name, args, node)
        return opaque(self.text(node), obj, *args)

    def _dict_get(self, obj: DictV, name: str, args: list[Value], node: ast.AST) -> Value:
        default = args[1] if len(args) > 1 else Const(None)
        try:
            key = hashable_key(args[0])
        except (NotConst, TypeError):
            return opaque(self.text(node), obj, *args, maybe_task=contains(obj, (TaskFnV,)))
        if name == "pop":
            return obj.items.pop(key, default)
        if name == "setdefault":
            return obj.items.setdefault(key, default)
        return obj.items.get(key, default)

    def set_method(self, obj: SetV, name: str, args: list[Value], node: ast.AST) -> Value:
        from .eval_expr import make_set

        if name == "add" and len(args) == 1:
            merged = make_set([*obj.items, args[0]])
            if isinstance(merged, SetV):
                obj.items[:] = merged.items
                return Const(None)
        return opaque(self.text(node), obj, *args)

    def const_method(self, obj: Value, name: str, args: list[Value],
                     kwargs: dict[str, Value], node: ast.AST) -> Value:
        try:
            py_obj = to_py(obj)
            target = getattr(py_obj, name)
            py_args = [to_py(a) for a in args]
            check_method(name, py_obj, py_args)
            py_kwargs = {k: to_py(v) for k, v in kwargs.items()}
            result = target(*py_args, **py_kwargs) if callable(target) else target
            return from_py(result)
        except (NotConst, TooLarge, TypeError, ValueError, KeyError, IndexError,
                AttributeError, ArithmeticError):
            return opaque(self.text(node), obj, *args, *kwargs.values())
