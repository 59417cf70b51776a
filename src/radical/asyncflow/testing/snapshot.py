"""A workflow's plan as normalised, stable text, for snapshot tests in users' CI.

``plan_text(path, backend)`` compiles the module statically (nothing runs),
builds the plan ``raf compile`` would write for ``backend`` and returns its
``plan.json`` text with what legitimately varies between machines and commits
normalised away:

* paths are relative to ``root`` (POSIX style), so the snapshot does not depend
  on the checkout location or the current directory;
* content digests (``sha256`` fields) become ``"<sha256>"``, so editing a
  comment does not churn the snapshot (node ids still carry line numbers:
  moving a task call is a visible change, as it is in the plan).

The text is canonical JSON (sorted keys, fixed indentation), the same bytes
on every run and every ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..codegen import BACKENDS, plan_files
from ..compiler import Options, compile_path
from ..compiler.render import render_text
from ..ir import dumps

DIGEST = "<sha256>"


class PlanError(Exception):
    """The module has errors, or no plan can be built from it; the message says which."""


def plan_text(path: str | os.PathLike[str], backend: str = "local", *,
              root: str | os.PathLike[str] | None = None, strict: bool = False) -> str:
    """The normalised ``plan.json`` of the module at ``path`` for ``backend``."""
    if backend not in BACKENDS:
        raise PlanError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
    module = Path(path).resolve()
    if not module.is_file():
        raise PlanError(f"{path}: no such workflow module")
    base = Path(root).resolve() if root is not None else Path.cwd()
    workflow = compile_path(str(module), Options(strict=strict))
    if workflow.has_errors:
        raise PlanError(render_text(list(workflow.diagnostics)))
    built = plan_files(workflow, module.read_text(encoding="utf-8"), backend, module.name)
    if built.diagnostics:
        raise PlanError(render_text(list(built.diagnostics)))
    shown = _relative(module, base)
    return dumps(_normalise(built.plan, {workflow.path: shown, str(module): shown}))


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name


def _normalise(value: Any, paths: dict[str, str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v, paths, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, paths) for v in value]
    if isinstance(value, str):
        if key.endswith("sha256") and value:
            return DIGEST
        if key == "path":
            return paths.get(value, value)
    return value
