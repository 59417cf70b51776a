"""Static extraction of task code into tasks.py, and RAF701 for what cannot be extracted."""

from __future__ import annotations

import ast
import textwrap

import pytest

from radical.asyncflow.codegen.extract import extract
from radical.asyncflow.compiler import compile_path

from .conftest import raf

GOOD = '''\
import math
import os.path as osp
from collections import Counter as C

from radical.asyncflow import WorkflowEngine

SCALE = 3
OFFSET = SCALE * 2
UNUSED = 99


def helper(x):
    return inner(x) + OFFSET


def inner(x):
    return math.floor(x * SCALE)


flow = WorkflowEngine()


@flow.function_task(task_description={"ranks": 1})
def work(x):
    """A docstring with a blank line.

    Still the docstring."""
    return helper(x) + len(C(osp.join("a", "b")))


@flow.executable_task
def shell(x):
    return f"echo {x}"


shell(work(1))
'''


def _extract(tmp_path, text: str):
    path = tmp_path / "wf.py"
    path.write_text(text)
    return extract(compile_path(str(path)), text)


def test_definitions_with_their_imports_constants_and_helpers(tmp_path) -> None:
    result = _extract(tmp_path, GOOD)
    assert result.diagnostics == ()
    code = "\n\n".join(result.parts)
    ast.parse(code)
    tree = ast.parse(code)
    names = {getattr(n, "name", None) for n in tree.body} | {
        t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets}
    assert {"work", "shell", "helper", "inner", "SCALE", "OFFSET"} <= names
    assert "UNUSED" not in names and "flow" not in names
    assert "import math" in code and "import os.path as osp" in code
    assert "WorkflowEngine" not in code and "@flow" not in code
    assert "Still the docstring" in code
    namespace: dict = {}
    exec(compile(code, "tasks.py", "exec"), namespace)  # the extracted module is runnable
    assert namespace["work"](1) == 3 + 6 + len({"a", "/", "b"})


def test_code_digest_follows_the_helpers(tmp_path) -> None:
    before = _extract(tmp_path, GOOD).digests
    after = _extract(tmp_path, GOOD.replace("x * SCALE", "x * SCALE + 0")).digests
    assert before["work"] != after["work"]
    assert before["shell"] == after["shell"]


BAD = {
    "closure": ('''
        import asyncio
        from radical.asyncflow import WorkflowEngine

        async def main():
            flow = await WorkflowEngine.create()
            scale = 3

            @flow.function_task
            async def work(x):
                return x * scale

            await work(1)

        asyncio.run(main())
    ''', "from the enclosing function"),
    "engine": ('''
        from radical.asyncflow import WorkflowEngine
        flow = WorkflowEngine()

        @flow.function_task
        def work(x):
            return flow

        work(1)
    ''', "the workflow engine"),
    "workflow value": ('''
        from radical.asyncflow import WorkflowEngine
        flow = WorkflowEngine()

        @flow.function_task
        def first():
            return 1

        VALUE = first().result()

        @flow.function_task
        def work(x):
            return x + VALUE

        work(1)
    ''', "computes at run time"),
    "undefined": ('''
        from radical.asyncflow import WorkflowEngine
        flow = WorkflowEngine()

        @flow.function_task
        def work(x):
            return x + NOWHERE

        work(1)
    ''', "is not defined at module level"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_raf701(tmp_path, case) -> None:
    text, detail = BAD[case]
    result = _extract(tmp_path, textwrap.dedent(text))
    assert [d.code for d in result.diagnostics] == ["RAF701"]
    assert detail in result.diagnostics[0].message
    assert "'work'" in result.diagnostics[0].message


def test_raf701_refuses_to_write_a_plan(tmp_path) -> None:
    (tmp_path / "wf.py").write_text(textwrap.dedent(BAD["closure"][0]))
    proc = raf("compile", "wf.py", "--backend", "local", "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 1
    assert "RAF701" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "plan").exists()
