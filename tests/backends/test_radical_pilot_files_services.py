"""Radical.Pilot: files staged through task sandboxes, and service tasks, on one real pilot.

The module shares one ``local.localhost`` pilot in ``staging="sandbox"`` mode
(the default on remote resources), with a local backend beside it for tasks
that use an RP service from this machine.  Tests wait on futures with
timeouts and on conditions with a bounded poll, never on sleeps.
"""

from __future__ import annotations

import os
import pathlib
import re
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator

import psutil
import pytest

from radical.asyncflow import (
    InputFile,
    LocalExecutionBackend,
    OutputFile,
    RadicalExecutionBackend,
    ServiceInfo,
    WorkflowEngine,
)
from radical.asyncflow.errors import (
    BackendError,
    DependencyFailureError,
    OutputMissing,
    ServiceError,
    ServiceLost,
    StagingError,
    TaskDescriptionError,
)

from .rp_helpers import live, running_event, wait_until

pytestmark = [pytest.mark.rp, pytest.mark.timeout(240),
              pytest.mark.filterwarnings("ignore:Import `radical` modules before `logging`")]

RESULT = 120  # seconds: the longest any single task of this module may take
#: server processes seen by the tests; the fixture checks they are gone after shutdown
SERVERS: list[psutil.Process] = []


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory) -> pathlib.Path:
    return tmp_path_factory.mktemp("rp-work")


@pytest.fixture(scope="module")
def flow(tmp_path_factory, work_dir) -> Iterator[WorkflowEngine]:
    cwd = tmp_path_factory.mktemp("rp-cwd")
    old = os.getcwd()
    os.chdir(cwd)
    rp = RadicalExecutionBackend({"resource": "local.localhost", "runtime": 30},
                                 staging="sandbox", keep_sandbox=False)
    engine = WorkflowEngine(backend=[rp, LocalExecutionBackend(name="local", grace=0.5)],
                            work_dir=work_dir)
    base = rp.base
    assert base is not None and rp.stages_files

    @engine.function_task
    def warm_up(path):  # RAPTOR and RP's staging open sockets and files once, lazily
        return pathlib.Path(path).write_text("ok")

    warm_up(OutputFile("warm-up.txt")).result(RESULT)
    (work_dir / "warm-up.txt").unlink()
    try:
        yield engine
    finally:
        engine.shutdown()
        os.chdir(old)
    assert not live(base), f"Radical.Pilot processes left behind: {live(base)}"
    assert not [p for p in SERVERS if _running(p)], "a service outlived the engine"
    assert not os.path.exists(base)
    assert not list(cwd.iterdir()), "Radical.Pilot left files in the working directory"


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _staging_leftovers(path: pathlib.Path) -> list[str]:
    return [p.name for p in path.rglob(".*.raf-*")]


# -- files -------------------------------------------------------------------------------
def test_a_file_chain_is_staged_through_the_producers_sandbox(flow, work_dir):
    (work_dir / "offset.txt").write_text("1000\n")  # exists before: copied from this machine

    @flow.executable_task
    def simulate(out):
        return f"seq 1 100 > {out}"

    @flow.function_task
    def analyse(traj, offset, report):
        numbers = [int(x) for x in pathlib.Path(traj).read_text().split()]
        total = sum(numbers) + int(pathlib.Path(offset).read_text())
        pathlib.Path(report).write_text(f"{total}\n")  # its directory was made in the sandbox
        return {"paths": (traj, offset, report), "cwd": os.getcwd(), "total": total,
                "links": os.stat(traj).st_nlink}

    @flow.executable_task
    def extend(inp, out):  # an in-place update: gets a private copy, not a link
        return f"test {inp} = {out} && echo 101 >> {out}"

    @flow.function_task(backend="local")
    def count(path):
        return path, len(pathlib.Path(path).read_text().split())

    simulate(OutputFile("runs/traj.dat"))
    seen = analyse(InputFile("runs/traj.dat"), InputFile("offset.txt"),
                   OutputFile("reports/total.txt")).result(RESULT)
    assert seen["paths"] == ("runs/traj.dat", "offset.txt", "reports/total.txt")  # sandbox names
    assert seen["total"] == 6050
    sandbox = os.path.realpath(seen["cwd"])
    assert sandbox.startswith(os.path.realpath(flow.backend.base) + os.sep)
    assert seen["links"] == 2  # a hard link to the producer's file in the producer's sandbox
    client = work_dir / "runs" / "traj.dat"
    assert client.read_text().split() == [str(i) for i in range(1, 101)]  # copied back
    assert (work_dir / "reports" / "total.txt").read_text() == "6050\n"

    extend(InputFile("runs/traj.dat"), OutputFile("runs/traj.dat")).result(RESULT)
    path, lines = count(InputFile("runs/traj.dat")).result(RESULT)
    assert (path, lines) == (str(client), 101)  # the local task reads the copied-back update
    assert _staging_leftovers(work_dir) == []


def test_a_task_that_does_not_write_its_declared_output_fails_naming_it(flow, work_dir):
    @flow.executable_task
    def forgetful(out):
        return "echo working"

    @flow.function_task(backend="local")
    def reader(inp):
        return pathlib.Path(inp).read_text()

    produced = forgetful(OutputFile("never.dat"))
    dependent = reader(InputFile("never.dat"))
    with pytest.raises(OutputMissing, match=r"forgetful.*sandbox.*never\.dat") as info:
        produced.result(RESULT)
    assert "Traceback" not in str(info.value)
    with pytest.raises(DependencyFailureError) as dep:
        dependent.result(RESULT)
    assert isinstance(dep.value.root_cause, OutputMissing)
    assert not (work_dir / "never.dat").exists()
    assert _staging_leftovers(work_dir) == []


def test_a_file_name_rp_cannot_copy_fails_before_submission(flow):
    @flow.executable_task
    def spaced(out):
        return f"touch '{out}'"

    with pytest.raises(StagingError, match=r"cannot stage 'my file\.dat'"):
        spaced(OutputFile("my file.dat")).result(RESULT)


# -- services ------------------------------------------------------------------------------
def _server_process(base: str, port: str) -> psutil.Process:
    procs = live(base, "http.server")
    found = [p for p in procs if any(c.laddr.port == int(port) for c in p.net_connections())]
    assert len(found) == 1, procs
    return found[0]


def test_a_service_on_the_pilot_serves_three_users_until_shutdown(flow):
    @flow.executable_task(service=True, task_description={"ready": r"\(http://(\S+?)/\)"})
    def web():
        return f"{sys.executable} -u -m http.server 0 --bind 127.0.0.1"

    @flow.function_task(backend="local")
    def get(service):
        with urllib.request.urlopen(f"http://{service.endpoint}/", timeout=10) as reply:
            return reply.status

    @flow.executable_task
    def fetch(service):  # a task on the pilot uses it too
        code = f"import urllib.request as u; print(u.urlopen('http://{service}/').status)"
        return f'{sys.executable} -c "{code}"'

    server = web()
    info = server.result(RESULT)
    assert isinstance(info, ServiceInfo) and info.name == "web"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", info.endpoint), info
    assert "Serving HTTP" in info.line
    statuses = [get(server).result(RESULT), get(server).result(RESULT),
                int(fetch(server).result(RESULT))]
    assert statuses == [200, 200, 200]
    process = _server_process(flow.backend.base, info.endpoint.rsplit(":", 1)[1])
    assert _running(process)  # kept running after its users
    SERVERS.append(process)  # and gone after the engine's shutdown (see the fixture)


def test_a_service_killed_in_use_fails_its_users_with_service_lost(flow):
    @flow.executable_task(service=True, task_description={"ready": "^up$"})
    def pinger():
        return "echo starting; echo up; exec sleep 301"

    @flow.executable_task
    def user(service):
        return f"echo using {service}; sleep 92"

    @flow.executable_task
    def gate():
        return "sleep 93"

    @flow.function_task(backend="local")
    def later(service, _):
        return "never runs"

    service = pinger()
    assert service.result(RESULT).endpoint == "up"
    started = running_event(flow, "user")
    running = user(service)
    blocker = gate()
    pending = later(service, blocker)
    assert started.wait(RESULT), "the user never ran"
    base = flow.backend.base
    victims = live(base, "sleep 301")
    assert victims
    killed = time.monotonic()
    for proc in victims:
        os.kill(proc.pid, signal.SIGKILL)
    for fut in (running, pending):
        with pytest.raises(DependencyFailureError) as info:
            fut.result(30)
        assert isinstance(info.value.root_cause, ServiceLost)
        assert "service 'pinger'" in str(info.value.root_cause)
        assert "exited with code 137 (killed by signal 9)" in str(info.value.root_cause)
    assert time.monotonic() - killed < 15
    wait_until(lambda: not live(base, "sleep 92"))  # the running user was stopped
    with pytest.raises(DependencyFailureError):  # a later user fails at once
        user(service).result(10)
    assert blocker.cancel()


def test_a_service_whose_shell_is_killed_is_not_said_to_have_exited_with_code_0(flow):
    """RP's wrapper exits 0 when the ``/bin/sh`` it started dies of a signal."""
    @flow.executable_task(service=True)
    def orphaned():
        return "echo up; exec sleep 304"

    @flow.executable_task
    def user(service):
        return "sleep 94"

    service = orphaned()
    assert service.result(RESULT).endpoint == "up"
    started = running_event(flow, "user")
    running = user(service)
    assert started.wait(RESULT), "the user never ran"
    base = flow.backend.base
    (server,) = live(base, "sleep 304")
    shell = next(p for p in server.parents() if p.cmdline()[:2] == ["/bin/sh", "-c"])
    os.kill(shell.pid, signal.SIGKILL)
    with pytest.raises(DependencyFailureError) as info:
        running.result(30)
    assert isinstance(info.value.root_cause, ServiceLost)
    assert "ended (the shell running it was killed by a signal" in str(info.value.root_cause)
    for proc in live(base, "sleep 304"):  # orphaned, so RP's cancel no longer reaches it
        proc.kill()


def test_a_service_that_exits_before_it_is_ready_fails_with_its_stderr(flow):
    @flow.executable_task(service=True)
    def broken():
        return "echo boom >&2; exit 3"

    with pytest.raises(ServiceError, match=r"exited with code 3 before it was ready") as info:
        broken().result(RESULT)
    assert "boom" in str(info.value)


def test_what_rp_services_cannot_do_is_refused_clearly(flow):
    @flow.function_task(service=True)
    def in_raptor():
        return "an endpoint"

    @flow.executable_task(service=True, task_description={"info_pattern": "stdout:up"})
    def patterned():
        return "echo up; sleep 5"

    with pytest.raises(BackendError, match=r"function service.*RAPTOR"):
        in_raptor().result(RESULT)
    with pytest.raises(TaskDescriptionError, match=r"'info_pattern'.*not used for service"):
        patterned().result(RESULT)
