"""Files and services on Dask: shared-filesystem semantics, services routed elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from radical.asyncflow import (
    DaskExecutionBackend,
    InputFile,
    LocalExecutionBackend,
    OutputFile,
    WorkflowEngine,
)
from radical.asyncflow.errors import BackendError, OutputMissing

pytestmark = [pytest.mark.dask, pytest.mark.timeout(120)]


async def test_files_flow_between_dask_tasks_and_services_route_to_local(tmp_path, no_leaks):
    dask = DaskExecutionBackend({"n_workers": 1, "threads_per_worker": 2}, name="dask")
    local = LocalExecutionBackend(name="local")
    async with WorkflowEngine(backend=[dask, local], work_dir=tmp_path) as flow:

        @flow.executable_task
        def write(out):
            return f"seq 1 5 > {out}"

        @flow.function_task
        def read(inp):
            return Path(inp).read_text().split()

        @flow.executable_task
        def forgets(out):
            return "true"

        @flow.executable_task(service=True)
        def server():
            return "echo up; exec sleep 60"

        write(OutputFile("five.txt"))
        assert await read(InputFile("five.txt")) == ["1", "2", "3", "4", "5"]
        with pytest.raises(OutputMissing, match=r"gone\.txt"):
            await forgets(OutputFile("gone.txt"))
        with pytest.raises(BackendError, match=r"'server' is a service.*'dask'"):
            await server()
        assert (await server(backend="local")).endpoint == "up"
