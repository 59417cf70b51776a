"""Binding call arguments to a ``def``'s parameters, as CPython does."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .values import DictV, TupleV, Value


def bind(spec: ast.arguments, args: list[Value], kwargs: dict[str, Value],
         default: Callable[[ast.expr], Value]) -> tuple[dict[str, Value], list[str]]:
    """(parameter -> value, problems). Problems read like CPython's TypeError text."""
    bound: dict[str, Value] = {}
    problems: list[str] = []
    positional = [a.arg for a in (*spec.posonlyargs, *spec.args)]
    for name, value in zip(positional, args):
        bound[name] = value
    extra = args[len(positional):]
    if spec.vararg:
        bound[spec.vararg.arg] = TupleV(tuple(extra))
    elif extra:
        problems.append(f"takes {len(positional)} positional arguments but {len(args)} were given")
    _bind_keywords(spec, kwargs, bound, problems)
    _fill_defaults(spec, positional, bound, problems, default)
    return bound, problems


def _bind_keywords(spec: ast.arguments, kwargs: dict[str, Value], bound: dict[str, Value],
                   problems: list[str]) -> None:
    posonly = {a.arg for a in spec.posonlyargs}
    names = {a.arg for a in (*spec.args, *spec.kwonlyargs)}
    rest: dict[str, Value] = {}
    for key, value in kwargs.items():
        if key in names and key not in posonly:
            if key in bound:
                problems.append(f"got multiple values for argument '{key}'")
            bound[key] = value
        elif spec.kwarg:
            rest[key] = value
        else:
            problems.append(f"got an unexpected keyword argument '{key}'")
    if spec.kwarg:
        bound[spec.kwarg.arg] = DictV(dict(rest))


def _fill_defaults(spec: ast.arguments, positional: list[str], bound: dict[str, Value],
                   problems: list[str], default: Callable[[ast.expr], Value]) -> None:
    first_default = len(positional) - len(spec.defaults)
    for i, name in enumerate(positional):
        if name not in bound:
            if i >= first_default:
                bound[name] = default(spec.defaults[i - first_default])
            else:
                problems.append(f"missing required argument '{name}'")
    for arg, expr in zip(spec.kwonlyargs, spec.kw_defaults):
        if arg.arg not in bound:
            if expr is not None:
                bound[arg.arg] = default(expr)
            else:
                problems.append(f"missing required keyword-only argument '{arg.arg}'")


def param_default(spec: ast.arguments, name: str) -> ast.expr | None:
    """The default expression of parameter ``name``, if it has one."""
    positional = [*spec.posonlyargs, *spec.args]
    offset = len(positional) - len(spec.defaults)
    for i, arg in enumerate(positional):
        if arg.arg == name and i >= offset:
            return spec.defaults[i - offset]
    for arg, expr in zip(spec.kwonlyargs, spec.kw_defaults):
        if arg.arg == name:
            return expr
    return None
