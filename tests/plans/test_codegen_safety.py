"""Codegen cannot be injected into: hostile values round-trip as the same literal (S12)."""

from __future__ import annotations

import ast
import json
import math

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radical.asyncflow.codegen import plan_files
from radical.asyncflow.codegen.render import UnsafeValue, literal, render, walltime
from radical.asyncflow.compiler import compile_path
from radical.asyncflow.runtime.plan_regions import compile_region

HOSTILE = [
    "it's",
    'say "hi"',
    '"""',
    "'''",
    "a\nb\r\nc",
    "{{ plan }}",
    "{% for x in y %}{% endfor %}",
    "{# comment #}",
    "\\N{BULLET} \\x00 \\",
    "é 漢字 🚀",
    "\u2028\u2029\x0c\x0b",
    "\x00",
    "'); import os; os.system('echo pwned'); ('",
    "$(rm -rf /) `id` ; | &",
]


def _assigned(source: str, name: str):
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", None) == name:
            return ast.literal_eval(stmt.value)
    raise AssertionError(name)


@pytest.mark.parametrize("value", HOSTILE)
def test_literal_round_trips(value) -> None:
    assert ast.literal_eval(literal(value)) == value
    assert ast.literal_eval(literal({value: [value, (value,)]})) == {value: [value, (value,)]}


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_literal_round_trips_any_plain_value(value) -> None:
    assert ast.literal_eval(literal(value)) == value


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), {1: "x"}, b"bytes", {"a": {2}}])
def test_literal_refuses_what_would_not_round_trip(value) -> None:
    with pytest.raises(UnsafeValue):
        literal(value)


def test_missing_template_variable_fails() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("run_local.py.j2", backend="local", source={}, tasks_sha256="0" * 64)
    with pytest.raises(jinja2.UndefinedError):
        render("submit.slurm.j2", job_name="x", nodes=1, ntasks=1, walltime=60, gpus=0)


def test_walltime_and_numbers_are_validated() -> None:
    assert walltime(3661) == "1:01:01"
    with pytest.raises(UnsafeValue):
        walltime("1; rm -rf /")


def _hostile_module(tmp_path, value: str) -> str:
    name = "we'ird \"{{x}}\"\nmodule é.py"
    path = tmp_path / name
    path.write_text(
        "from radical.asyncflow import WorkflowEngine\n"
        "flow = WorkflowEngine()\n"
        f"LABEL = {value!r}\n\n"
        "@flow.function_task\n"
        "def tâche(x, label=LABEL):\n"
        "    return x\n\n"
        "@flow.executable_task\n"
        "def shell(x):\n"
        f"    return 'echo ' + {value!r}\n\n"
        f"shell(tâche({value!r}, label={value!r}))\n"
        f"s = tâche({value!r}).result()\n"
        "while len(s) < 3:\n"
        f"    s = tâche(s + {value!r}).result()  # {{{{ }}}} é\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("backend", ["local", "dask", "radical.pilot"])
def test_hostile_strings_survive_every_launcher(tmp_path, value, backend) -> None:
    path = _hostile_module(tmp_path, value)
    wf = compile_path(path)
    assert not wf.has_errors, wf.diagnostics
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    files = plan_files(wf, text, backend, "../" + path).files
    launcher = files[f"run_{backend.replace('.', '_')}.py"]
    ast.parse(launcher)
    ast.parse(files["tasks.py"])
    plan = json.loads(files["plan.json"])
    assert _assigned(launcher, "PLAN") == plan
    assert _assigned(launcher, "SOURCE")["path"] == wf.path
    assert plan["nodes"][0]["args"] == [value]
    assert plan["nodes"][0]["kwargs"] == {"label": value}
    assert _assigned(files["tasks.py"], "LABEL") == value
    (region,) = [n for n in plan["nodes"] if n["kind"] == "dynamic"]  # its code, verbatim
    assert plan["mode"] == "regions" and repr(value) in region["region"]["code"]
    function = compile_region(region["region"], sorted(region["kwargs"]), path,
                              {"tâche": lambda v: type("F", (), {"result": lambda self: v})()})
    expected = value
    while len(expected) < 3:
        expected += value
    assert function(s=value) == {"s": expected}
    assert "{{" not in files["submit.slurm"].split("\n", 3)[3].split("exec")[0]
