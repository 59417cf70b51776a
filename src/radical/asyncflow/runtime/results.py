"""Values that tasks produce."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any


def _number(text: str) -> int | float | None:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError:
        return None


def _numeric(op: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[..., Any]:
    def method(self: CommandOutput, other: Any) -> Any:
        number = _number(self)
        if number is None or isinstance(other, str) or not isinstance(other, int | float):
            fallback = getattr(str, f"__{'r' if reflected else ''}{op.__name__.strip('_')}__", None)
            if fallback is None:
                return NotImplemented
            return fallback(self, other)
        return op(other, number) if reflected else op(number, other)

    return method


class CommandOutput(str):
    """The standard output of an executable task.

    It is a ``str`` (the whole output, trailing newline included) that also
    acts as a number in arithmetic when the output is a single number:
    ``echo $RANDOM`` gives ``CommandOutput('12345\\n')`` and ``out * 2 * 2`` is
    ``49380``.  With a string operand ``+`` concatenates, as ``str`` does.
    ``int(out)`` and ``float(out)`` work for numeric output; ``str(out)`` or
    ``out.text`` is the plain text.
    """

    __slots__ = ()

    @property
    def text(self) -> str:
        return str.__str__(self)

    __mul__ = _numeric(operator.mul)
    __rmul__ = _numeric(operator.mul, reflected=True)
    __add__ = _numeric(operator.add)
    __radd__ = _numeric(operator.add, reflected=True)
    __sub__ = _numeric(operator.sub)
    __rsub__ = _numeric(operator.sub, reflected=True)
    __truediv__ = _numeric(operator.truediv)
    __rtruediv__ = _numeric(operator.truediv, reflected=True)
    __floordiv__ = _numeric(operator.floordiv)
    __rfloordiv__ = _numeric(operator.floordiv, reflected=True)
    __pow__ = _numeric(operator.pow)
    __rpow__ = _numeric(operator.pow, reflected=True)

    def __mod__(self, other: Any) -> Any:  # keep printf-style formatting for text
        number = _number(self)
        if number is not None and isinstance(other, int | float) and not isinstance(other, bool):
            return number % other
        return str.__mod__(self, other)

    def __reduce__(self) -> tuple[Any, ...]:
        return (CommandOutput, (str(self),))
