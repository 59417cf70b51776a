"""Symbolic values -> the JSON encoding of :mod:`radical.asyncflow.ir.values`.

Node references stay creation indices here; ``ir.build.finalize`` maps them to ids.
"""

from __future__ import annotations

from typing import Any

from ..ir import values as enc
from .values import (
    Const,
    DictV,
    FileV,
    FutureV,
    Hole,
    ListV,
    Opaque,
    RangeV,
    ResultV,
    SetV,
    TemplateV,
    TupleV,
    Value,
    deps,
)


def encode(value: Value) -> Any:
    if isinstance(value, Const):
        return encode_const(value.value)
    if isinstance(value, FutureV):
        return {enc.FUTURE: value.node}
    if isinstance(value, ResultV):
        return {enc.RESULT: value.node}
    if isinstance(value, ListV):
        return [encode(v) for v in value.items]
    if isinstance(value, TupleV):
        return {"$tuple": [encode(v) for v in value.items]}
    if isinstance(value, SetV):
        return enc.encode_set([encode(v) for v in value.items])
    if isinstance(value, DictV):
        return enc.encode_dict([(encode_const(k), encode(v)) for k, v in value.items.items()])
    if isinstance(value, FileV):
        return {enc.INPUT_FILE if value.direction == "in" else enc.OUTPUT_FILE: encode(value.name)}
    if isinstance(value, RangeV):
        return {"$object": f"range({value.start}, {value.stop}, {value.step})"}
    if isinstance(value, Opaque) and value.bound_by is not None:
        return {enc.OUTPUT: list(value.bound_by)}
    return {enc.RUNTIME: sorted(deps(value))}


def encode_const(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return enc.encode_float(value)
    if isinstance(value, bytes):
        return {"$bytes": value.decode("latin-1")}
    if isinstance(value, tuple):
        return {"$tuple": [encode_const(v) for v in value]}
    if isinstance(value, list):
        return [encode_const(v) for v in value]
    if isinstance(value, frozenset | set):
        return enc.encode_set([encode_const(v) for v in value])
    if isinstance(value, dict):
        return enc.encode_dict([(encode_const(k), encode_const(v)) for k, v in value.items()])
    return {"$object": type(value).__name__}


def command_text(value: Value) -> tuple[str, bool] | None:
    """(command, is_template) for an executable's return value, None if not a string."""
    if isinstance(value, Const):
        return (value.value, False) if isinstance(value.value, str) else None
    if isinstance(value, TemplateV):
        return "".join(_part(p) for p in value.parts), True
    return None


def _part(part: str | Hole) -> str:
    if isinstance(part, str):
        return part.replace("{", "{{").replace("}", "}}")
    return "{" + part.text + "}"
