"""Golden plan directories: plan.json and every rendered launcher, per example x backend.

Compiled through the CLI in a scratch directory holding a copy of the example,
so every path in the output is relative and stable.  `--snapshot-update`
refreshes the goldens (never in CI).
"""

from __future__ import annotations

import ast
import json

import jsonschema
import pytest

from .conftest import BACKENDS, EXAMPLE_FILES, compile_in, raf

CASES = [(e, b) for e in EXAMPLE_FILES for b in BACKENDS]


@pytest.mark.parametrize(("example", "backend"), CASES,
                         ids=[f"{e.stem}-{b}" for e, b in CASES])
def test_plan_directory(example, backend, tmp_path, snapshot, plan_schema) -> None:
    plan_dir = compile_in(tmp_path, example, backend)
    files = sorted(p.name for p in plan_dir.iterdir())
    launcher = f"run_{backend.replace('.', '_')}.py"
    assert {"plan.json", "tasks.py", launcher, "submit.slurm"} <= set(files)
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    jsonschema.validate(plan, plan_schema, cls=jsonschema.Draft202012Validator)
    for name in files:
        text = (plan_dir / name).read_text(encoding="utf-8")
        if name.endswith(".py"):
            ast.parse(text, filename=name)
        if name != "source.py":
            assert text == snapshot(name=name)
    assert _embedded(plan_dir / launcher, "PLAN") == plan


def _embedded(path, name):
    """The literal assigned to ``name`` in a rendered launcher (never executed)."""
    for stmt in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", None) == name:
            return ast.literal_eval(stmt.value)
    raise AssertionError(f"{name} not found in {path}")


def test_compile_is_byte_identical_across_hash_seeds(tmp_path) -> None:
    example = EXAMPLE_FILES[3]
    compile_in(tmp_path, example, "radical.pilot", out="first")
    for seed, out in (("0", "a"), ("12345", "b")):
        proc = raf("compile", f"examples/{example.name}", "--backend", "radical.pilot",
                   "-o", out, cwd=tmp_path, env_extra={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
