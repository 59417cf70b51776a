"""Several named backends in one engine: routing by decorator and by call, in the IR too."""

from __future__ import annotations

import textwrap

import pytest

from radical.asyncflow import LocalExecutionBackend, NoopExecutionBackend, WorkflowEngine
from radical.asyncflow.compiler import compile_path
from radical.asyncflow.errors import BackendError, DependencyFailureError, UnknownBackendError
from radical.asyncflow.trace import trace_path

pytestmark = pytest.mark.timeout(60)


class Spy(LocalExecutionBackend):
    """A local backend that remembers which tasks it ran."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, max_workers=2)
        self.ran: list[str] = []

    def submit(self, spec):
        self.ran.append(spec.name)
        super().submit(spec)


async def test_two_local_backends_route_by_decorator_and_by_call():
    a, b = Spy("a"), Spy("b")
    async with WorkflowEngine(backend=[a, b]) as flow:

        @flow.function_task
        def on_default(x):
            return x + 1

        @flow.function_task(backend="b")
        def on_b(x):
            return x * 10

        @flow.executable_task(backend="b")
        def shell_on_b(x):
            return f"echo {x}"

        first = on_default(1)  # default: the first backend
        second = on_b(first)  # dependency across backends
        third = on_default(second, backend="b")  # call overrides the default
        fourth = on_b(3, backend="a")  # call overrides the decorator
        out = shell_on_b(third)
        assert (await third, await fourth, await out) == (21, 30, "21\n")
        assert flow.backend is a and set(flow.backends) == {"a", "b"}
    assert a.ran == ["on_default", "on_b"]
    assert b.ran == ["on_b", "on_default", "shell_on_b"]


async def test_noop_next_to_local():
    async with WorkflowEngine(
        backend=[LocalExecutionBackend(name="local"), NoopExecutionBackend(name="dry")]
    ) as flow:

        @flow.executable_task
        def real():
            return "echo real"

        @flow.executable_task(backend="dry")
        def planned(x):
            raise AssertionError("a dry backend does not evaluate executable bodies")

        assert await real() == "real\n"
        assert await planned(real()) == "Dummy Output"
        assert await real(backend="dry") == "Dummy Output"


async def test_unknown_backend_fails_only_that_task_and_its_dependents():
    async with WorkflowEngine(backend=[LocalExecutionBackend(name="local")]) as flow:

        @flow.function_task
        def f(x=0):
            return x + 1

        bad = f(backend="gpu")
        after = f(bad)
        with pytest.raises(UnknownBackendError, match=r"'gpu'.*'local'"):
            await bad
        with pytest.raises(DependencyFailureError):
            await after
        assert await f(41) == 42  # the engine keeps working


def test_backend_names_must_be_unique():
    with pytest.raises(BackendError, match="two backends are named 'x'"):
        WorkflowEngine(backend=[NoopExecutionBackend(name="x"), NoopExecutionBackend(name="x")])


def test_sync_style_with_two_backends():
    a, b = Spy("a"), Spy("b")
    flow = WorkflowEngine(backend=[a, b])
    try:

        @flow.function_task(backend="b")
        def g(x):
            return x * 2

        assert g(g(1)).result(timeout=10) == 4
    finally:
        flow.shutdown()
    assert a.ran == [] and b.ran == ["g", "g"]


MODULE = """
from radical.asyncflow import (InputFile, LocalExecutionBackend, NoopExecutionBackend,
                               OutputFile, WorkflowEngine)

flow = WorkflowEngine(backend=[LocalExecutionBackend(name="local"),
                               NoopExecutionBackend(name="gpu")])

@flow.executable_task(backend="gpu")
def train(out):
    return f"train > {out}"

@flow.function_task
def report(inp, model):
    return inp

t = train(OutputFile("model.bin"))
r = report(InputFile("model.bin"), "m")
again = report(InputFile("model.bin"), t, backend="gpu")
flow.shutdown()
"""


@pytest.mark.parametrize("front", ["static", "trace"])
def test_the_ir_records_each_nodes_backend_and_file_edges(tmp_path, monkeypatch, front):
    path = tmp_path / "wf.py"
    path.write_text(textwrap.dedent(MODULE))
    monkeypatch.chdir(tmp_path)
    wf = compile_path("wf.py") if front == "static" else trace_path("wf.py", announce=False)
    assert not wf.diagnostics
    nodes = {n.id: n for n in wf.nodes}
    assert {i: n.backend for i, n in nodes.items()} == {
        "train@16": "gpu",
        "report@17": None,
        "report@18": "gpu",
    }
    assert nodes["report@17"].after == ("train@16",)  # a file edge: no future passed
    assert nodes["train@16"].outputs == ("model.bin",)
    assert nodes["report@17"].inputs == ("model.bin",)
    data = nodes["report@18"].to_json()
    assert data["backend"] == "gpu" and "backend" not in data["kwargs"]
    assert nodes["report@17"].to_json()["args"][0] == {"$input_file": "model.bin"}
    assert "backend" not in nodes["report@17"].to_json()
