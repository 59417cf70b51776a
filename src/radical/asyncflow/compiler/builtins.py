"""Builtin functions on symbolic values.

Pure builtins (``abs``, ``str``, ``max`` ...) are applied to constant arguments
directly: they are CPython's own functions on plain data, never user code.
The ones that matter for workflow shape (``range``, ``enumerate``, ``zip``,
``map``, ``list`` ...) work on symbolic items, so ``zip(inputs, futures)`` keeps
the futures.
"""

from __future__ import annotations

import ast
import builtins as _py
import itertools
from collections.abc import Iterator
from typing import Any

from .base import EvaluatorBase
from .constfold import MAX_LEN, TooLarge, check_call
from .pyvalues import NotConst, from_py, hashable_key, to_py
from .scope import Frame
from .values import (
    BuiltinV,
    Const,
    DictV,
    ListV,
    ModuleGlobalsV,
    Opaque,
    RangeV,
    TupleV,
    Value,
    deps,
)

PURE = {
    name: getattr(_py, name)
    for name in (
        "abs", "all", "any", "ascii", "bin", "bool", "chr", "divmod", "float", "format",
        "hex", "int", "max", "min", "oct", "ord", "pow", "repr", "round", "str", "sum",
        "bytes", "complex", "frozenset", "slice",
    )
}
TYPES = {name: getattr(_py, name) for name in (
    "int", "str", "float", "bool", "list", "tuple", "dict", "set", "bytes", "complex")}
DYNAMIC_CODE = {"eval", "exec", "compile", "__import__", "breakpoint"}
NONDETERMINISTIC = {"id", "hash"}
SYMBOLIC = {
    "range", "len", "enumerate", "zip", "list", "tuple", "set", "dict", "sorted", "reversed",
    "print", "isinstance", "getattr", "hasattr", "globals", "vars", "locals", "iter", "next",
    "map", "filter", "callable", "setattr", "type", "open", "input", "object", "super",
    "issubclass", "frozenset", "sum", "min", "max", "any", "all",
}
BUILTIN_NAMES = frozenset(PURE) | frozenset(SYMBOLIC) | DYNAMIC_CODE | NONDETERMINISTIC | {
    "Exception", "ValueError", "TypeError", "RuntimeError", "KeyError", "IndexError",
    "SystemExit", "KeyboardInterrupt", "NotImplementedError", "StopIteration",
    "AssertionError", "OSError", "FileNotFoundError", "True", "False", "None",
    "NotImplemented", "Ellipsis", "property", "staticmethod", "classmethod", "__build_class__",
}


class BuiltinsMixin(EvaluatorBase):
    def call_builtin(self, name: str, args: list[Value], kwargs: dict[str, Value],
                     node: ast.Call, frame: Frame) -> Value:
        if name in DYNAMIC_CODE:
            return self.dynamic_region("dynamic-code", "RAF407", node, frame, args, [node],
                                       what=f"`{name}()`")
        if name in NONDETERMINISTIC:
            return Opaque(frozenset(), self.text(node), nondeterministic=f"`{name}()`")
        method = getattr(self, "b_" + name, None)
        if method is not None:
            result = method(args, kwargs, node, frame)
            if result is not None:
                return result  # type: ignore[no-any-return]
        if name in PURE:
            return self.pure(PURE[name], args, kwargs, node)
        return self.runtime(node, args, kwargs)

    def runtime(self, node: ast.AST, args: list[Value], kwargs: dict[str, Value]) -> Opaque:
        from .eval_expr import opaque

        return opaque(self.text(node), *args, *kwargs.values())

    def pure(self, func: Any, args: list[Value], kwargs: dict[str, Value],
             node: ast.AST) -> Value:
        try:
            py_args = [to_py(a) for a in args]
            py_kwargs = {k: to_py(v) for k, v in kwargs.items()}
            check_call(func.__name__, py_args)
            return from_py(func(*py_args, **py_kwargs))
        except (NotConst, TooLarge, TypeError, ValueError, ArithmeticError, KeyError):
            return self.runtime(node, args, kwargs)

    def materialize(self, value: Value, node: ast.AST) -> list[Value] | None:
        items = self.iterate(value, node)
        if items is None:
            return None
        out = list(itertools.islice(items, MAX_LEN + 1))
        return None if len(out) > MAX_LEN else out

    # -- shape builtins ------------------------------------------------------
    def b_range(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                frame: Frame) -> Value | None:
        try:
            bounds = [to_py(a) for a in args]
            r = range(*bounds)
        except (NotConst, TypeError, ValueError):
            return None
        return RangeV(r.start, r.stop, r.step)

    def b_len(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
              frame: Frame) -> Value | None:
        if len(args) != 1:
            return None
        value = args[0]
        if isinstance(value, RangeV):
            return Const(len(value))
        if isinstance(value, DictV):
            return Const(len(value.items))
        items = getattr(value, "items", None)
        if isinstance(items, list | tuple):
            return Const(len(items))
        return self.pure(len, args, kwargs, node)

    def b_enumerate(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                    frame: Frame) -> Value | None:
        start_v = args[1] if len(args) > 1 else kwargs.get("start", Const(0))
        items = self.materialize(args[0], node) if args else None
        if items is None or not isinstance(start_v, Const):
            return None
        return ListV([TupleV((Const(start_v.value + i), v)) for i, v in enumerate(items)])

    def b_zip(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
              frame: Frame) -> Value | None:
        columns = [self.materialize(a, node) for a in args]
        if any(c is None for c in columns) or kwargs:
            return None
        return ListV([TupleV(tuple(row)) for row in zip(*columns)])  # type: ignore[misc]

    def b_list(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
               frame: Frame) -> Value | None:
        items = self.materialize(args[0], node) if args else []
        return None if items is None else ListV(items)

    def b_tuple(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                frame: Frame) -> Value | None:
        items = self.materialize(args[0], node) if args else []
        return None if items is None else TupleV(tuple(items))

    def b_set(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
              frame: Frame) -> Value | None:
        from .eval_expr import make_set

        items = self.materialize(args[0], node) if args else []
        return None if items is None else make_set(items)

    b_frozenset = b_set

    def b_dict(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
               frame: Frame) -> Value | None:
        result: dict[Any, Value] = {}
        if args:
            base = args[0]
            if isinstance(base, DictV):
                result.update(base.items)
            elif not self._pairs_into(base, result, node):
                return None
        result.update(kwargs)
        return DictV(result)

    def _pairs_into(self, value: Value, out: dict[Any, Value], node: ast.AST) -> bool:
        items = self.materialize(value, node)
        if items is None:
            return False
        for item in items:
            pair = self.materialize(item, node)
            if pair is None or len(pair) != 2:
                return False
            try:
                out[hashable_key(pair[0])] = pair[1]
            except (NotConst, TypeError):
                return False
        return True

    def b_sorted(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                 frame: Frame) -> Value | None:
        if not args or set(kwargs) - {"reverse"}:
            return None
        items = self.materialize(args[0], node)
        if items is None:
            return None
        try:
            reverse = bool(to_py(kwargs.get("reverse", Const(False))))
            keyed = sorted(((to_py(v), i) for i, v in enumerate(items)), reverse=reverse)
        except (NotConst, TypeError):
            return None
        return ListV([items[i] for _, i in keyed])

    def b_reversed(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                   frame: Frame) -> Value | None:
        items = self.materialize(args[0], node) if args else None
        return None if items is None else ListV(items[::-1])

    def b_iter(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
               frame: Frame) -> Value | None:
        return self.b_list(args, kwargs, node, frame)

    def b_getattr(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                  frame: Frame) -> Value | None:
        if len(args) < 2:
            return None
        name = args[1]
        if isinstance(name, Const) and isinstance(name.value, str):
            return self.attribute(args[0], name.value, node)  # type: ignore[attr-defined, no-any-return]
        return Opaque(frozenset(deps(name)), self.text(node), maybe_task=True)

    def b_print(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                frame: Frame) -> Value | None:
        return Const(None)

    def b_globals(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                  frame: Frame) -> Value | None:
        return ModuleGlobalsV()

    b_vars = b_globals
    b_locals = b_globals

    def b_isinstance(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                     frame: Frame) -> Value | None:
        if len(args) != 2 or not isinstance(args[1], BuiltinV) or args[1].name not in TYPES:
            return None
        try:
            return Const(isinstance(to_py(args[0]), TYPES[args[1].name]))
        except NotConst:
            return None

    def b_callable(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                   frame: Frame) -> Value | None:
        return Const(True) if args and not isinstance(args[0], Const) else None

    def b_map(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
              frame: Frame) -> Value | None:
        columns = [self.materialize(a, node) for a in args[1:]]
        if len(args) < 2 or any(c is None for c in columns):
            return None
        rows: Iterator[tuple[Value, ...]] = zip(*columns)  # type: ignore[misc]
        return ListV([self.call_value(args[0], list(row), {}, node, frame) for row in rows])

    def b_filter(self, args: list[Value], kwargs: dict[str, Value], node: ast.Call,
                 frame: Frame) -> Value | None:
        from .eval_expr import truth

        items = self.materialize(args[1], node) if len(args) == 2 else None
        if items is None:
            return None
        kept = []
        for item in items:
            verdict = item if args[0] == Const(None) else self.call_value(
                args[0], [item], {}, node, frame)
            known = truth(verdict)
            if known is None:
                return None
            if known:
                kept.append(item)
        return ListV(kept)
