"""The evaluator's shared surface: each mixin module implements a part of it."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from .scope import Frame
from .state import State
from .values import CoroV, FuncV, Value


class EvaluatorBase:
    """Declares what the mixins call on each other; see :mod:`.evaluator`."""

    state: State

    def expr(self, node: ast.expr, frame: Frame) -> Value:
        raise NotImplementedError

    def exec_body(self, body: Sequence[ast.stmt], frame: Frame) -> None:
        raise NotImplementedError

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        raise NotImplementedError

    def call_value(self, func: Value, args: list[Value], kwargs: dict[str, Value],
                   node: ast.Call, frame: Frame) -> Value:
        raise NotImplementedError

    def run_coroutine(self, coro: CoroV, frame: Frame) -> Value:
        raise NotImplementedError

    def await_value(self, value: Value, node: ast.AST, frame: Frame) -> Value:
        raise NotImplementedError

    def iterate(self, value: Value, node: ast.AST) -> Iterator[Value] | None:
        raise NotImplementedError

    def dynamic_region(self, construct: str, code: str, node: ast.AST, frame: Frame,
                       inputs: Sequence[Value] = (), body: Sequence[ast.AST] = (),
                       **fields: object) -> Value:
        raise NotImplementedError

    def binop(self, op: str, left: Value, right: Value, node: ast.AST) -> Value:
        raise NotImplementedError

    def check_options(self, options: dict[str, Value], node: ast.AST) -> None:
        raise NotImplementedError

    def reason(self, value: Value) -> str:
        raise NotImplementedError

    def call_function(self, func: FuncV, args: list[Value], kwargs: dict[str, Value],
                      node: ast.AST, frame: Frame) -> Value:
        raise NotImplementedError

    def text(self, node: ast.AST) -> str:
        return self.state.source.segment(node)
