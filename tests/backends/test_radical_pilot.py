"""RadicalExecutionBackend against real Radical.Pilot pilots on local.localhost.

A pilot takes 15-20 s to start, so the module shares one backend and one
engine (``flow``); only the tests that break a pilot or run the seed script
start their own.  Tests wait on futures with timeouts and on conditions with
``wait_until`` (a bounded poll), never on sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace

import psutil
import pytest

from radical.asyncflow import CommandOutput, RadicalExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import (
    BackendLost,
    DependencyFailureError,
    ExecutableError,
    TaskDescriptionError,
)
from radical.asyncflow.runtime.backends._rp_tasks import Capacity

from .rp_helpers import live, running_event, wait_until

pytestmark = [pytest.mark.rp, pytest.mark.timeout(240),
              pytest.mark.filterwarnings("ignore:Import `radical` modules before `logging`")]
ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULT = 120  # seconds: the longest any single task of this module may take


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Iterator[pathlib.Path]:
    """Run the module in an empty directory, and check that RP leaves nothing in it."""
    path = tmp_path_factory.mktemp("rp-cwd")
    old = os.getcwd()
    os.chdir(path)
    yield path
    os.chdir(old)
    assert not list(path.iterdir()), "Radical.Pilot left files in the working directory"


@pytest.fixture(scope="module")
def flow(workdir) -> Iterator[WorkflowEngine]:
    backend = RadicalExecutionBackend({"resource": "local.localhost", "runtime": 30},
                                      keep_sandbox=False)
    engine = WorkflowEngine(backend=backend)
    base = backend.base
    assert base is not None and os.path.isdir(base)
    yield engine
    engine.shutdown()
    assert not live(base), f"Radical.Pilot processes left behind: {live(base)}"
    assert not os.path.exists(base)


# -- values ------------------------------------------------------------------------------
def test_executable_output_is_its_stdout_and_bash_quoting_survives(flow):
    @flow.executable_task
    def quoting():
        return "echo '$HOME' \"a  b\"; for i in 1 2; do printf %s $i; done; echo"

    @flow.executable_task
    def rand():
        return "echo $RANDOM"

    assert quoting().result(RESULT) == "$HOME a  b\n12\n"
    value = rand().result(RESULT)
    assert isinstance(value, CommandOutput) and 0 <= int(value) < 32768


def test_long_stdout_is_not_truncated(flow):
    @flow.executable_task
    def count():
        return "seq 1 3000"

    assert count().result(RESULT).split() == [str(i) for i in range(1, 3001)]


def test_function_tasks_def_and_async_def_and_the_seed_chain(flow):
    @flow.executable_task
    def task1():
        return "echo $RANDOM"

    @flow.function_task
    def task2(t1_result):
        return t1_result * 2 * 2

    @flow.function_task
    async def task3(x, *, plus):
        await asyncio.sleep(0)
        return {"sum": x + plus, "pid": os.getpid()}

    t1 = task1().result(RESULT)
    assert task2(t1).result(RESULT) == int(t1) * 4
    out = task3(task2(20), plus=1).result(RESULT)
    assert out["sum"] == 81 and out["pid"] != os.getpid()


def test_dependencies_form_a_diamond(flow):
    @flow.executable_task
    def source():
        return "echo 5"

    @flow.function_task
    def double(x):
        return int(x) * 2

    @flow.executable_task
    def shell_add(x):
        return f"echo $(( {int(x)} + 1 ))"

    @flow.function_task
    def join(a, b):
        return a + int(b)

    s = source()
    assert join(double(s), shell_add(s)).result(RESULT) == 16


# -- failures ------------------------------------------------------------------------------
def test_failing_executable_fails_its_dependents(flow):
    @flow.executable_task
    def broken():
        return "echo oops >&2; exit 3"

    @flow.function_task
    def after(x):
        return x

    first = broken()
    second = after(first)
    with pytest.raises(ExecutableError) as info:
        first.result(RESULT)
    assert info.value.exit_code == 3 and "oops" in info.value.stderr
    with pytest.raises(DependencyFailureError) as dep:
        second.result(RESULT)
    assert isinstance(dep.value.root_cause, ExecutableError)


def test_failing_function_keeps_its_exception_type(flow):
    @flow.function_task
    def bad():
        raise KeyError("missing thing")

    @flow.executable_task
    def after(x):
        return f"echo {x}"

    first = bad()
    second = after(first)
    with pytest.raises(KeyError, match="missing thing"):
        first.result(RESULT)
    with pytest.raises(DependencyFailureError):
        second.result(RESULT)


def test_unknown_task_description_key_fails_only_that_task(flow):
    @flow.executable_task
    def task(n):
        return f"echo {n}"

    bad = task(1, task_description={"ranks": 1, "bogus_key": 2})
    good = task(2, task_description={"ranks": 1, "pre_exec": ["export X=1"]})
    with pytest.raises(TaskDescriptionError, match="bogus_key"):
        bad.result(RESULT)
    assert good.result(RESULT) == "2\n"


def test_wrongly_typed_task_description_value_is_rejected(flow):
    @flow.function_task(task_description={"ranks": "many"})
    def task():
        return 1

    with pytest.raises(TaskDescriptionError, match="ranks"):
        task().result(RESULT)


@pytest.mark.parametrize("description, words", [
    ({"cores_per_rank": 1000}, "cores_per_rank"),
    ({"ranks": 100, "cores_per_rank": 4}, "the pilot has"),
    ({"gpus_per_rank": 64}, "GPUs"),
])
def test_task_larger_than_the_pilot_fails_at_once(flow, description, words):
    @flow.executable_task
    def huge():
        return "/bin/true"

    start = time.monotonic()
    with pytest.raises(TaskDescriptionError, match=words):
        huge(task_description=description).result(RESULT)
    assert time.monotonic() - start < 5


def test_capacity_check_on_a_multi_node_pilot():
    capacity = Capacity("tacc.frontera", nodes=4, cores_per_node=56, gpus_per_node=0)
    mpi = SimpleNamespace(ranks=112, cores_per_rank=1, gpus_per_rank=0, use_mpi=None)
    capacity.check("mpi", mpi)  # two full nodes
    with pytest.raises(TaskDescriptionError, match="non-MPI task must fit one node"):
        capacity.check("wide", SimpleNamespace(ranks=2, cores_per_rank=56, gpus_per_rank=0,
                                               use_mpi=False))
    with pytest.raises(TaskDescriptionError, match="needs 4 GPUs"):
        capacity.check("gpu", SimpleNamespace(ranks=4, cores_per_rank=1, gpus_per_rank=1,
                                              use_mpi=None))


# -- cancellation ------------------------------------------------------------------------------
def test_cancelling_a_running_executable_kills_it(flow):
    @flow.executable_task
    def sleeper():
        return "sleep 97"

    started = running_event(flow, "sleeper")
    fut = sleeper()
    assert started.wait(RESULT), "the task never ran"
    base = flow.backend.base
    wait_until(lambda: live(base, "sleep 97"))
    assert fut.cancel("test says stop")
    with pytest.raises(asyncio.CancelledError):
        fut.result(10)
    wait_until(lambda: not live(base, "sleep 97"), timeout=30)


def test_cancelling_a_waiting_task_leaves_the_others_running(flow):
    @flow.executable_task
    def gate():
        return "sleep 2; echo done"

    @flow.function_task
    def after(x):
        return x

    first = gate()
    second = after(first)
    assert second.cancel()
    with pytest.raises(asyncio.CancelledError):
        second.result(10)
    assert first.result(RESULT) == "done\n"


# -- a pilot that dies under its tasks ------------------------------------------------------------
@pytest.mark.library_keeps_fds
def test_pilot_failure_fails_running_tasks_with_backend_lost(workdir):
    backend = RadicalExecutionBackend({"resource": "local.localhost", "cores": 1,
                                       "runtime": 10}, keep_sandbox=False)
    engine = WorkflowEngine(backend=backend)
    base = backend.base
    try:
        @engine.executable_task
        def sleeper():
            return "sleep 98"

        started = running_event(engine, "sleeper")
        fut = sleeper()
        assert started.wait(RESULT)
        # what a batch system does to a job: kill the pilot's whole process tree
        jobs = live(base, "single_launch") or live(base, "bootstrap_0")
        assert jobs, "pilot job process not found"
        victims = {p.pid: p for job in jobs for p in [job, *job.children(recursive=True)]}
        killed = time.monotonic()
        for proc in victims.values():
            with contextlib.suppress(psutil.Error):
                proc.kill()
        with pytest.raises(BackendLost, match="FAILED") as info:
            fut.result(30)
        assert time.monotonic() - killed < 15
        assert "pilot" in str(info.value)
        with pytest.raises(BackendLost):
            sleeper().result(10)
    finally:
        engine.shutdown()
    wait_until(lambda: not live(base), timeout=10)
    assert not os.path.exists(base)


# -- the seed example, verbatim, as users run it ------------------------------------------------
def test_seed_example_runs_in_a_clean_environment(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"HOME": os.environ.get("HOME", str(tmp_path)), "PATH": "/usr/bin:/bin",
           "TMPDIR": str(tmp)}
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "00_seed.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert int(proc.stdout.strip().splitlines()[-1]) % 4 == 0
    wait_until(lambda: not live(str(tmp_path)), timeout=20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert not [p for p in tmp.iterdir() if p.name.startswith("raf-rp-")]
    # RP's own temp files for the session (agent config, empty session dir) are gone too;
    # raf-radical-<uid> is RP's id-counter base, kept on purpose between runs
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith("rp.")) == []
