"""The JSON encoding of argument values, shared by the compiler and the trace.

Plain JSON values stay as they are (lists stay lists, dicts with string keys
that do not start with ``$`` stay objects).  Everything else is a one-key
object whose key starts with ``$``:

=====================  ==================================================
``{"$future": id}``    the future of node ``id`` itself
``{"$result": id}``    the value of node ``id`` (``.result()`` / ``await``)
``{"$runtime": ids}``  a value computed at run time from those nodes
                       (``ids`` may be empty: e.g. ``sys.argv[1]``)
``{"$output": [id, n]}``  the value variable ``n`` had when the dynamic
                       region ``id`` finished (it binds or changes ``n``)
``{"$tuple": [...]}``  a tuple
``{"$set": [...]}``    a set, elements sorted by their canonical JSON
``{"$dict": [[k, v]]}``  a dict whose keys are not all plain strings
``{"$float": "nan"}``  a non-finite float (``nan``, ``inf``, ``-inf``)
``{"$bytes": "..."}``  bytes, as latin-1 text
``{"$object": name}``  an object of a type the encoding does not cover
``{"$input_file": n}``   ``InputFile(n)`` (the body gets a path)
``{"$output_file": n}``  ``OutputFile(n)`` (the task must create it)
=====================  ==================================================
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

FUTURE = "$future"
RESULT = "$result"
RUNTIME = "$runtime"
OUTPUT = "$output"
INPUT_FILE = "$input_file"
OUTPUT_FILE = "$output_file"


def encode_float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"$float": repr(value)}


def canonical(value: Any) -> str:
    """Canonical JSON text of an encoded value (used for sorting sets)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def encode_set(items: list[Any]) -> Any:
    unique = {canonical(item): item for item in items}
    return {"$set": [unique[key] for key in sorted(unique)]}


def encode_dict(pairs: list[tuple[Any, Any]]) -> Any:
    if all(isinstance(k, str) and not k.startswith("$") for k, _ in pairs):
        return {k: v for k, v in pairs}
    return {"$dict": [[k, v] for k, v in pairs]}


def runtime(deps: list[str]) -> Any:
    return {RUNTIME: sorted(set(deps))}


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside an encoded value (iterative: values may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(item.values())


def refs_in(value: Any) -> set[str]:
    """Every node id an encoded value refers to."""
    found: set[str] = set()
    for item in _objects(value):
        if FUTURE in item or RESULT in item:
            found.add(item.get(FUTURE) or item[RESULT])
        elif OUTPUT in item and isinstance(item[OUTPUT], list) and item[OUTPUT]:
            found.add(item[OUTPUT][0])
        elif RUNTIME in item:
            found.update(item[RUNTIME])
    return found


def has_tag(value: Any, tags: tuple[str, ...]) -> bool:
    """Does an encoded value contain a tagged object with one of ``tags`` anywhere?"""
    return any(t in item for item in _objects(value) for t in tags)


Walk = Callable[[Any], Any]


def decode(value: Any, reference: Callable[[dict[str, Any], Walk], Any] | None = None) -> Any:
    """An encoded value back to Python.

    Containers and constants (``$tuple``, ``$set``, ``$dict``, ``$float``,
    ``$bytes``) are decoded here; every other tagged object (a one-key object
    whose key starts with ``$``: node references, files, ``$runtime``...) is
    handed to ``reference(item, walk)``, ``walk`` decoding nested values.
    Without ``reference`` such objects decode as plain dicts.
    """
    def walk(item: Any) -> Any:
        if isinstance(item, list):
            return [walk(v) for v in item]
        if not isinstance(item, dict):
            return item
        if "$tuple" in item:
            return tuple(walk(v) for v in item["$tuple"])
        if "$set" in item:
            return {walk(v) for v in item["$set"]}
        if "$dict" in item:
            return {walk(k): walk(v) for k, v in item["$dict"]}
        if "$float" in item:
            return float(item["$float"])
        if "$bytes" in item:
            return item["$bytes"].encode("latin-1")
        if reference is not None and len(item) == 1 and next(iter(item)).startswith("$"):
            return reference(item, walk)
        return {k: walk(v) for k, v in item.items()}

    return walk(value)
