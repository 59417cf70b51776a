"""The jinja2 environment that renders plan launchers, and its safe filters.

Templates stay dumb: ``StrictUndefined`` (a missing variable is an error, never
an empty string), no autoescape games, no clocks, uuids or absolute paths.
Every value reaches a template through a filter that validates it first:

* ``literal``: plain data (None, bool, int, finite float, str, list, tuple,
  dict with str keys) printed as a Python literal with ``pprint`` (``repr`` of
  every scalar, dicts sorted), so a hostile string (quotes, triple quotes,
  newlines, ``{{ }}``, non-ASCII) comes back as the same value from
  ``ast.literal_eval``;
* ``shquote``: a string for a shell command line (``shlex.quote``);
* ``number``: a non-negative int; ``walltime``: ``H:MM:SS`` from seconds;
* ``slurm_name``: letters, digits, ``._-`` only;
* ``comment``: ``repr`` of a string, safe on a ``#`` line;
* ``code``: a piece of Python that must parse (extracted task code).
"""

from __future__ import annotations

import ast
import math
import pprint
import re
import shlex
from typing import Any

import jinja2

_SLURM_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


class UnsafeValue(ValueError):
    """A value that cannot be rendered safely (it would not round-trip)."""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("radical.asyncflow", "codegen_templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(literal=literal, shquote=shquote, number=number, walltime=walltime,
                       slurm_name=slurm_name, comment=comment, code=code)
    return env


def _check_plain(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, bool | int | str):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise UnsafeValue(f"non-finite float {item!r}")
            continue
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                raise UnsafeValue("dict keys must be strings")
            stack.extend(item.values())
        else:
            raise UnsafeValue(f"{type(item).__name__} is not plain data")


def _defined(value: Any) -> Any:
    """A missing variable fails loudly (StrictUndefined), even inside a filter."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def literal(value: Any) -> str:
    _check_plain(_defined(value))
    return pprint.pformat(value, width=100, sort_dicts=True)


def shquote(value: Any) -> str:
    value = _defined(value)
    if not isinstance(value, str):
        raise UnsafeValue(f"shquote needs a string, got {type(value).__name__}")
    return shlex.quote(value)


def number(value: Any) -> str:
    value = _defined(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UnsafeValue(f"expected a non-negative int, got {value!r}")
    return str(value)


def walltime(seconds: Any) -> str:
    seconds = _defined(seconds)
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise UnsafeValue(f"walltime needs seconds, got {seconds!r}")
    total = math.ceil(seconds)
    number(total)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def slurm_name(value: Any) -> str:
    value = _defined(value)
    if not isinstance(value, str):
        raise UnsafeValue("job name must be a string")
    return _SLURM_BAD.sub("_", value)[:64] or "raf"


def comment(value: Any) -> str:
    value = _defined(value)
    if not isinstance(value, str):
        raise UnsafeValue("comment needs a string")
    return repr(value)


def code(value: Any) -> str:
    value = _defined(value)
    if not isinstance(value, str):
        raise UnsafeValue("code needs a string")
    ast.parse(value)
    return value


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
