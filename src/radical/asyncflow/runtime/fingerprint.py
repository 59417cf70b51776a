"""Fingerprints for ``raf run --resume``, and value digests for the journal.

A node's fingerprint is the sha256 of its kind and name, the code digest of
its task (the task's definition plus every import, constant and helper it
uses, computed when the plan was compiled, see ``codegen.extract``), its
arguments with every reference to another node replaced by *that node's*
fingerprint, its resources and options, and the fingerprints of its
dependencies and of its enclosing block.  Changing one task's code therefore
changes its fingerprint and, through the dependency fingerprints, those of
everything downstream, and nothing else.

A dynamic region's fingerprint also covers its code and the code of the
helpers and tasks it calls.  The tasks a region calls, and all nodes in
module mode, are only known as they run, so their fingerprint uses the
argument *values* instead, a future counting as its node's fingerprint
(:func:`call_fingerprint`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import cloudpickle

from ..ir.values import FUTURE, OUTPUT, RESULT, RUNTIME


def _sha(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _substitute(value: Any, fps: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_substitute(v, fps) for v in value]
    if not isinstance(value, dict):
        return value
    for tag in (FUTURE, RESULT):
        if tag in value and isinstance(value[tag], str):
            return {tag: fps.get(value[tag], "?" + value[tag])}
    if OUTPUT in value and isinstance(value[OUTPUT], list) and len(value[OUTPUT]) == 2:
        return {OUTPUT: [fps.get(value[OUTPUT][0], "?"), value[OUTPUT][1]]}
    if RUNTIME in value and isinstance(value[RUNTIME], list):
        return {RUNTIME: sorted(fps.get(i, "?" + i) for i in value[RUNTIME])}
    return {k: _substitute(v, fps) for k, v in value.items()}


def plan_fingerprints(nodes: list[Mapping[str, Any]], code: Mapping[str, str]) -> dict[str, str]:
    """Fingerprint of every node of a plan (``nodes`` in creation order)."""
    fps: dict[str, str] = {}
    for node in nodes:
        fps[node["id"]] = _sha({
            "kind": node["kind"],
            "name": node["name"],
            "code": code.get(node["name"], ""),
            "args": _substitute(node.get("args", []), fps),
            "kwargs": _substitute(node.get("kwargs", {}), fps),
            "command": None if node.get("command_template") else node.get("command"),
            "resources": node.get("resources", {}),
            "options": node.get("options", {}),
            "after": sorted(fps.get(d, "?" + d) for d in node.get("after", [])),
            "parent": fps.get(node["parent"]) if node.get("parent") else None,
            **({"region": node["region"].get("sha256")} if node.get("region") else {}),
        })
    return fps


def call_fingerprint(name: str, code: str, args: Any, kwargs: Any, description: Any) -> str:
    """Module mode: a call's fingerprint from its argument values."""
    return _sha({"name": name, "code": code, "args": _repr(args), "kwargs": _repr(kwargs),
                 "description": _repr(description)})


def _repr(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_repr(v)}" for k, v in sorted(value.items(), key=str)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_repr(v) for v in value) + "]"
    return repr(value)


def value_digest(value: Any) -> str:
    return hashlib.sha256(_repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def encode_value(value: Any) -> str | None:
    """Base64 cloudpickle of a value, or None when it cannot be pickled."""
    try:
        return base64.b64encode(cloudpickle.dumps(value)).decode("ascii")
    except Exception:
        return None


def decode_value(text: str) -> Any:
    return cloudpickle.loads(base64.b64decode(text))
