"""Calls: argument evaluation and dispatch, helper inlining, coroutines, ``await``."""

from __future__ import annotations

import ast
from typing import Any

from .binding import bind
from .eval_expr import opaque
from .scope import DynamicJump, Env, Frame, ReturnSignal
from .state import MAX_INLINE_DEPTH
from .values import (
    AwaitableV,
    BuiltinV,
    Const,
    CoroV,
    DecoratorV,
    DictV,
    EngineV,
    ExternalV,
    FuncV,
    FutureV,
    MethodV,
    Opaque,
    ResultV,
    TaskFnV,
    Value,
)


class CallMixin:
    """Mixed into the evaluator; see :mod:`.evaluator`."""

    def e_Call(self: Any, node: ast.Call, frame: Frame) -> Value:
        func = self.expr(node.func, frame)
        evaluated = self.call_args(node, frame)
        if isinstance(evaluated, Opaque):
            if isinstance(func, TaskFnV):
                return self.call_task(func, [evaluated], {}, node, frame, unknown_star=True)
            return self.call_value(func, [evaluated], {}, node, frame)
        args, kwargs = evaluated
        return self.call_value(func, args, kwargs, node, frame)

    def call_args(self: Any, node: ast.Call,
                  frame: Frame) -> tuple[list[Value], dict[str, Value]] | Opaque:
        args = self.elements(node.args, frame)
        if isinstance(args, Opaque):
            return args
        kwargs: dict[str, Value] = {}
        for keyword in node.keywords:
            value = self.expr(keyword.value, frame)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
            elif isinstance(value, DictV) and all(isinstance(k, str) for k in value.items):
                kwargs.update(value.items)
            else:
                return opaque(self.text(node), *args, value)
        return args, kwargs

    def call_value(self: Any, func: Value, args: list[Value], kwargs: dict[str, Value],
                   node: ast.Call, frame: Frame) -> Value:
        if isinstance(func, TaskFnV):
            return self.call_task(func, args, kwargs, node, frame)
        if isinstance(func, DecoratorV):
            return self.call_decorator(func, args, kwargs, node)
        if isinstance(func, FuncV):
            return self.call_function(func, args, kwargs, node, frame)
        if isinstance(func, BuiltinV):
            return self.call_builtin(func.name, args, kwargs, node, frame)
        if isinstance(func, MethodV):
            return self.call_bound(func, args, kwargs, node, frame)
        if isinstance(func, ExternalV):
            return self.call_external(func, args, kwargs, node, frame)
        if isinstance(func, Opaque) and func.maybe_task:
            return self.dynamic_region("dynamic-call", "RAF404", node, frame,
                                       [func, *args, *kwargs.values()], [node],
                                       reason=f"`{self.text(node.func)}` is only known at run time")
        return opaque(self.text(node), func, *args, *kwargs.values())

    def call_bound(self: Any, method: MethodV, args: list[Value], kwargs: dict[str, Value],
                   node: ast.Call, frame: Frame) -> Value:
        obj = method.obj
        if isinstance(obj, EngineV):
            return self.engine_method(obj, method.name, args, kwargs, node, frame)
        if isinstance(obj, FutureV):
            return self.future_method(obj, method.name, node, frame)
        return self.call_method(method, args, kwargs, node, frame)

    def engine_method(self: Any, engine: EngineV, name: str, args: list[Value],
                      kwargs: dict[str, Value], node: ast.Call, frame: Frame) -> Value:
        if name == "shutdown":
            if engine.closed_at is None:
                engine.closed_at = node.lineno
            return AwaitableV(Opaque(frozenset(), "shutdown"))
        return Opaque(frozenset(), self.text(node))

    def future_method(self: Any, future: FutureV, name: str, node: ast.Call,
                      frame: Frame) -> Value:
        if name == "result":
            if frame.is_async:
                function = frame.func.name if frame.func else "main"
                self.state.report("RAF305", node, function=function)
            return ResultV(future.node)
        return Opaque(frozenset(), self.text(node))

    def call_decorator(self: Any, dec: DecoratorV, args: list[Value],
                       kwargs: dict[str, Value], node: ast.Call) -> Value:
        func = args[0] if len(args) == 1 and not kwargs else None
        if isinstance(func, FuncV) and not isinstance(func.node, ast.Lambda):
            return self.make_task(dec, func, func.node)  # type: ignore[no-any-return]
        options = dict(dec.options)
        options.update(kwargs)
        return DecoratorV(dec.engine, dec.kind, tuple(options.items()), dec.text)

    # -- helpers and coroutines -------------------------------------------------
    def call_function(self: Any, func: FuncV, args: list[Value], kwargs: dict[str, Value],
                      node: ast.AST, frame: Frame) -> Value:
        if isinstance(func.node, ast.AsyncFunctionDef):
            return CoroV(func, tuple(args), dict(kwargs), node)
        if _is_generator(func.node):
            return self.dynamic_region("unsupported", "RAF409", node, frame, args, [func.node],
                                       what=f"the generator function '{func.name}'")
        return self.run_function(func, args, kwargs, node, frame, False)

    def run_coroutine(self: Any, coro: CoroV, frame: Frame) -> Value:
        return self.run_function(coro.func, list(coro.args), coro.kwargs, coro.span_node,
                                 frame, True)

    def run_function(self: Any, func: FuncV, args: list[Value], kwargs: dict[str, Value],
                     node: ast.AST, frame: Frame, is_async: bool) -> Value:
        if frame.depth >= MAX_INLINE_DEPTH:
            return self.dynamic_region("recursion", "RAF406", node, frame,
                                       [*args, *kwargs.values()], [], name=func.name,
                                       limit=MAX_INLINE_DEPTH)
        inner = frame.child(Env(func.env), func, is_async)
        self.bind_into(func, args, kwargs, node, inner)
        if isinstance(func.node, ast.Lambda):
            return self.expr(func.node.body, inner)  # type: ignore[no-any-return]
        return self.run_body(func.node.body, inner)

    def run_body(self: Any, body: list[ast.stmt], frame: Frame) -> Value:
        try:
            self.exec_body(body, frame)
        except ReturnSignal as ret:
            return ret.value
        except DynamicJump:
            if self.state.unrolling:
                raise
        return Const(None)

    def bind_into(self: Any, func: FuncV, args: list[Value], kwargs: dict[str, Value],
                  node: ast.AST, frame: Frame) -> None:
        outer = Frame(env=func.env)
        bound, problems = bind(func.node.args, args, kwargs, lambda e: self.expr(e, outer))
        if problems and isinstance(node, ast.Call):
            self.state.report("RAF206", node, kind="function", name=func.name,
                              detail="; ".join(problems))
        for name, value in bound.items():
            frame.env.vars[name] = value

    def await_value(self: Any, value: Value, node: ast.AST, frame: Frame) -> Value:
        if isinstance(value, FutureV):
            return ResultV(value.node)
        if isinstance(value, CoroV):
            return self.run_coroutine(value, frame)
        if isinstance(value, AwaitableV):
            return value.value
        return value


def _is_generator(node: ast.AST) -> bool:
    stack = list(ast.iter_child_nodes(node))
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(sub))
    return False

