"""Constant folding with limits: arithmetic on constants never hangs or eats memory.

``10**10**10`` or ``"x" * 10**12`` are refused (the caller then treats the value
as run-time data) instead of being computed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

MAX_BITS = 1_000_000
MAX_LEN = 1_000_000


class TooLarge(Exception):
    pass


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "Add": operator.add,
    "Sub": operator.sub,
    "Mult": operator.mul,
    "Div": operator.truediv,
    "FloorDiv": operator.floordiv,
    "Mod": operator.mod,
    "Pow": operator.pow,
    "LShift": operator.lshift,
    "RShift": operator.rshift,
    "BitOr": operator.or_,
    "BitXor": operator.xor,
    "BitAnd": operator.and_,
    "MatMult": operator.matmul,
}

CMPOPS: dict[str, Callable[[Any, Any], Any]] = {
    "Eq": operator.eq,
    "NotEq": operator.ne,
    "Lt": operator.lt,
    "LtE": operator.le,
    "Gt": operator.gt,
    "GtE": operator.ge,
    "Is": operator.is_,
    "IsNot": operator.is_not,
    "In": lambda a, b: a in b,
    "NotIn": lambda a, b: a not in b,
}

UNARYOPS: dict[str, Callable[[Any], Any]] = {
    "UAdd": operator.pos,
    "USub": operator.neg,
    "Not": operator.not_,
    "Invert": operator.invert,
}


def _bits(x: Any) -> int:
    if isinstance(x, bool):
        return 1
    if isinstance(x, int):
        return x.bit_length()
    return 64


def _size(x: Any) -> int:
    return len(x) if isinstance(x, str | bytes | tuple | list) else 0


def check_binop(op: str, left: Any, right: Any) -> None:
    """Raise TooLarge when computing ``left op right`` could be huge."""
    big_pow = isinstance(right, int) and right > 0 and _bits(left) * right > MAX_BITS
    if op == "Pow" and isinstance(left, int | float) and big_pow:
        raise TooLarge(f"{left!r} ** {right!r}")
    if op == "LShift" and isinstance(right, int) and right > MAX_BITS:
        raise TooLarge(f"<< {right}")
    if op == "Mult":
        for seq, count in ((left, right), (right, left)):
            if _size(seq) and isinstance(count, int) and _size(seq) * count > MAX_LEN:
                raise TooLarge("sequence repetition")
        ints = isinstance(left, int) and isinstance(right, int)
        if ints and _bits(left) + _bits(right) > MAX_BITS:
            raise TooLarge("multiplication")
    if op == "Add" and _size(left) + _size(right) > MAX_LEN:
        raise TooLarge("concatenation")
    if op == "Mod" and isinstance(left, str | bytes):
        raise TooLarge("%-formatting")  # may expand widths arbitrarily: leave it to run time


def binop(op: str, left: Any, right: Any) -> Any:
    check_binop(op, left, right)
    return BINOPS[op](left, right)


_WIDE = re.compile(r"\d{7,}")
EXPANDING = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "format"}


def check_call(name: str, args: list[Any]) -> None:
    """Raise TooLarge for calls of pure functions that could build huge values."""
    if name in EXPANDING or name in {"bytes", "format", "pow", "str"}:
        for arg in args:
            big = isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_LEN
            if big and name != "str":
                raise TooLarge(f"{name}() with {arg}")
            if isinstance(arg, str) and _WIDE.search(arg) and name in {"format", "str"}:
                raise TooLarge("format width")
    if name == "pow" and len(args) >= 2:
        check_binop("Pow", args[0], args[1])
    if name == "format" and args and isinstance(args[-1], str) and _WIDE.search(args[-1]):
        raise TooLarge("format width")


def check_method(name: str, obj: Any, args: list[Any]) -> None:
    check_call(name, args)
    if name == "format" and isinstance(obj, str) and _WIDE.search(obj):
        raise TooLarge("format width")
    if name == "join" and args and hasattr(args[0], "__len__") and len(args[0]) > MAX_LEN:
        raise TooLarge("join")
