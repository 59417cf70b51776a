"""Service tasks: ready, used by dependents, stopped at shutdown, death fails their users."""

from __future__ import annotations

import asyncio
import http.server
import os
import signal
import socket
import sys
import threading
import urllib.request

import psutil
import pytest

from radical.asyncflow import (
    CoroutineBackend,
    LocalExecutionBackend,
    NoopExecutionBackend,
    ServiceInfo,
    WorkflowEngine,
)
from radical.asyncflow.errors import (
    BackendError,
    DependencyFailureError,
    ServiceError,
    ServiceLost,
    TaskTimeout,
)

pytestmark = pytest.mark.timeout(60)

#: a TCP service: answers "pong <n>" to every connection; prints its address when listening
PONG = """
import socket, sys
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen()
print("starting", flush=True)
print(f"listening on 127.0.0.1:{sock.getsockname()[1]}", flush=True)
n = 0
while True:
    conn, _ = sock.accept()
    n += 1
    conn.sendall(f"pong {n}".encode())
    conn.close()
"""


def ask(endpoint: str) -> str:
    host, port = endpoint.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        return conn.recv(100).decode()


@pytest.fixture
def pong(tmp_path):
    script = tmp_path / "pong.py"
    script.write_text(PONG)
    return f"{sys.executable} -u {script}"


@pytest.fixture
async def flow(tmp_path):
    async with WorkflowEngine(backend=LocalExecutionBackend(grace=0.5), work_dir=tmp_path) as e:
        yield e


async def test_executable_service_is_ready_used_by_three_tasks_and_stopped(tmp_path, pong):
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend(grace=0.5))

    @flow.executable_task(service=True, task_description={"ready": r"listening on (\S+)"})
    def server():
        return pong

    @flow.function_task
    def query(service, i):
        return i, ask(service.endpoint)

    srv = server()
    answers = await asyncio.gather(*(query(srv, i) for i in range(3)))
    info = await srv
    assert isinstance(info, ServiceInfo) and srv.state == "DONE"
    assert info.endpoint.startswith("127.0.0.1:") and str(info) == info.endpoint
    assert info.line == f"listening on {info.endpoint}" and info.groups == (info.endpoint,)
    assert sorted(a for _, a in answers) == ["pong 1", "pong 2", "pong 3"]
    proc = psutil.Process(info.pid)
    await flow.shutdown()
    assert not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE


async def test_without_a_pattern_the_first_nonempty_line_is_ready(flow):
    @flow.executable_task(service=True)
    def server():
        return "echo; echo '  up at here  '; exec sleep 60"

    @flow.executable_task
    def user(s):
        return f"echo using {s}"

    info = await server()
    assert info.endpoint == "up at here" and info.line == "  up at here  "
    assert await user(server()) == "using up at here\n"


async def test_service_that_exits_before_ready_fails_with_its_stderr(flow):
    @flow.executable_task(service=True, task_description={"ready": "never"})
    def broken():
        return "echo some output; echo 'bad config' >&2; exit 4"

    @flow.function_task
    def user(s):
        return "never"

    b = broken()
    u = user(b)
    with pytest.raises(ServiceError, match=r"exited with code 4 before it was ready(.|\n)*bad"):
        await b
    with pytest.raises(DependencyFailureError):
        await u


async def test_service_that_never_gets_ready_is_bounded_by_timeout(flow):
    @flow.executable_task(service=True, timeout=0.5)
    def silent():
        return "exec sleep 60"

    with pytest.raises(TaskTimeout):
        await silent()


async def test_service_dying_in_use_fails_its_running_pending_and_later_users(flow, pong):
    @flow.executable_task(service=True, task_description={"ready": r"listening on (\S+)"})
    def server():
        return pong

    started, gate = threading.Event(), threading.Event()

    @flow.function_task
    def long_user(service):
        started.set()
        gate.wait(30)
        return "too late"

    @flow.function_task
    def blocker():
        gate.wait(30)

    @flow.function_task
    def pending_user(service, x):
        return "never"

    @flow.function_task
    def downstream(x):
        return "never"

    srv = server()
    info = await srv
    running = long_user(srv)
    pending = pending_user(srv, blocker())
    chained = downstream(running)
    await asyncio.to_thread(started.wait, 30)
    os.killpg(info.pid, signal.SIGKILL)
    try:
        for fut in (running, pending):
            with pytest.raises(DependencyFailureError, match="service 'server'") as err:
                await fut
            assert isinstance(err.value.root_cause, ServiceLost)
            assert "killed by signal 9 while in use" in str(err.value.root_cause)
        with pytest.raises(DependencyFailureError):
            await chained
        with pytest.raises(DependencyFailureError, match="ServiceLost"):
            await long_user(srv)  # created after the death: fails at once
    finally:
        gate.set()


async def test_function_service_endpoint_is_closed_at_shutdown():
    closed = []

    class Endpoint:
        def __init__(self):
            self.server = http.server.ThreadingHTTPServer(
                ("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler
            )
            self.server.RequestHandlerClass.log_message = lambda *a: None
            self.thread = threading.Thread(target=self.server.serve_forever, name="test-srv")
            self.thread.start()
            self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

        def close(self):
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            closed.append(self.url)

    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())

    @flow.function_task(service=True)
    def web():
        return Endpoint()

    @flow.function_task
    def get(service):
        with urllib.request.urlopen(service.endpoint.url, timeout=10) as response:
            return response.status

    w = web()
    assert await asyncio.gather(get(w), get(w), get(w)) == [200, 200, 200]
    info = await w
    assert info.name == "web" and isinstance(info.endpoint, Endpoint) and closed == []
    await flow.shutdown()
    assert closed == [info.endpoint.url]


async def test_shutdown_cancel_stops_services_and_their_users(tmp_path, pong):
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend(grace=0.5))

    @flow.executable_task(service=True, task_description={"ready": r"listening on (\S+)"})
    def server():
        return pong

    @flow.executable_task
    def user(service):
        return "exec sleep 60"

    srv = server()
    info = await srv
    u = user(srv)
    await flow.shutdown(mode="cancel")
    assert u.cancelled()
    assert not psutil.pid_exists(info.pid) or psutil.Process(info.pid).status() == "zombie"


class _Plain(CoroutineBackend):
    async def run(self, spec):
        return "ran"


async def test_backend_without_services_fails_the_task_and_routing_fixes_it():
    local = LocalExecutionBackend(name="local")
    async with WorkflowEngine(backend=[_Plain(name="plain"), local]) as flow:

        @flow.executable_task(service=True)
        def server():
            return "echo ready; exec sleep 60"

        with pytest.raises(BackendError, match=r"'server' is a service.*'plain'"):
            await server()
        assert (await server(backend="local")).endpoint == "ready"


async def test_dry_run_services_resolve_like_any_task():
    async with WorkflowEngine(backend=NoopExecutionBackend()) as flow:

        @flow.executable_task(service=True)
        def server():
            return "never run"

        @flow.function_task(service=True)
        def fn():
            return "never run"

        assert await server() == "Dummy Output"
        assert await fn() == "Dummy Output"
