"""Import resolution by path arithmetic only.

``importlib.util.find_spec`` and ``pkgutil`` execute parent packages'
``__init__.py``; here a module name is only turned into candidate file paths
next to the workflow, which are ``stat``-ed and, when they exist, read as text
(never imported) to learn whether they define tasks.
"""

from __future__ import annotations

import os
import re

from .values import ExternalV

TASK_DECORATOR = re.compile(r"\.(function_task|executable_task|block)\b")
MAX_SCAN_BYTES = 2 * 1024 * 1024
KNOWN_ROOTS = {"radical", "asyncio", "os", "sys", "time", "math", "json", "random", "uuid",
               "datetime", "itertools", "functools", "pathlib", "shlex", "subprocess"}


class ImportResolver:
    def __init__(self, module_path: str) -> None:
        self.base = os.path.dirname(os.path.abspath(module_path))
        self.task_modules: set[str] = set()
        self._cache: dict[str, str | None] = {}

    def external(self, qualname: str, level: int, module: str | None = None) -> ExternalV:
        """The value bound by an import; ``user_module`` set for the user's own files."""
        if level:
            return ExternalV(qualname, self._relative(module or "", level))
        if qualname.split(".")[0] in KNOWN_ROOTS:
            return ExternalV(qualname)
        return ExternalV(qualname, self.user_module(qualname if module is None else module))

    def user_module(self, dotted: str) -> str | None:
        if dotted not in self._cache:
            self._cache[dotted] = self._find(self.base, dotted.split("."))
        return self._cache[dotted]

    def _relative(self, dotted: str, level: int) -> str | None:
        base = self.base
        for _ in range(level - 1):
            base = os.path.dirname(base)
        parts = [p for p in dotted.split(".") if p]
        return self._find(base, parts) if parts else self._package(base)

    def _find(self, base: str, parts: list[str]) -> str | None:
        for n in range(len(parts), 0, -1):
            stem = os.path.join(base, *parts[:n])
            for path in (stem + ".py", os.path.join(stem, "__init__.py")):
                if os.path.isfile(path):
                    self._scan(path)
                    return path
        return None

    def _package(self, base: str) -> str | None:
        path = os.path.join(base, "__init__.py")
        return path if os.path.isfile(path) else None

    def _scan(self, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                text = handle.read(MAX_SCAN_BYTES).decode("utf-8", "replace")
        except OSError:
            return
        if TASK_DECORATOR.search(text):
            self.task_modules.add(path)
