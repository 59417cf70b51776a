"""DaskExecutionBackend against real loopback LocalClusters.

Most tests share one module-wide cluster (2 worker processes, 2 threads each)
and attach to it with ``address=``; the tests that own or break a cluster make
their own.  Tests synchronise through files and events, never by sleeping: a
task announces itself by writing a file, and ``wait_until`` polls for it
under a deadline.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import dask
import psutil
import pytest
from distributed import Client, LocalCluster

from radical.asyncflow import CommandOutput, DaskExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import (
    BackendLost,
    DependencyFailureError,
    ExecutableError,
    SerializationError,
    TaskDescriptionError,
    TaskTimeout,
    WorkerLost,
)

pytestmark = pytest.mark.dask
#: keeps every listener, the scheduler's HTTP server included, on 127.0.0.1
LOOPBACK = {"dashboard_address": None,
            "scheduler_kwargs": {"dashboard": False, "dashboard_address": "127.0.0.1:0"}}
PROCESSES = {"processes": True, "host": "127.0.0.1", **LOOPBACK}
THREADS = {"processes": False, "worker_dashboard_address": "127.0.0.1:0", **LOOPBACK}


def wait_until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if alive(p.pid)}


def listeners(pids: set[int]) -> set[tuple[str, int]]:
    return {(conn.laddr.ip, conn.laddr.port) for pid in pids
            for conn in psutil.Process(pid).net_connections() if conn.status == psutil.CONN_LISTEN}


def hold(directory: str, tag: str) -> int:
    """A task body: say it started (with its pid), then wait for ``release``."""
    path = pathlib.Path(directory)
    (path / f"{tag}.started").write_text(str(os.getpid()))
    deadline = time.monotonic() + 30
    while not (path / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid()


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=2, **PROCESSES) as running:
        yield running


@pytest.fixture
def flow(cluster):
    engine = WorkflowEngine(backend=DaskExecutionBackend(address=cluster.scheduler_address))
    yield engine
    engine.shutdown(mode="cancel")


# -- construction, ownership, shutdown -----------------------------------------------
def test_seed_workflow_sync_style_on_its_own_cluster_leaves_no_processes():
    before = children()
    flow = WorkflowEngine(backend=DaskExecutionBackend())

    @flow.executable_task
    def task1():
        return "echo $RANDOM"

    @flow.function_task
    def task2(t1_result):
        return t1_result * 2 * 2

    @flow.function_task
    def where():
        return os.getpid()

    t1_result = task1().result(timeout=30)
    worker = where().result(timeout=30)
    assert isinstance(t1_result, CommandOutput) and t1_result.strip().isdigit()
    assert task2(t1_result).result(timeout=30) == int(t1_result) * 4
    assert worker in children()
    assert {ip for ip, _ in listeners(children() - before)} == {"127.0.0.1"}
    flow.shutdown()
    wait_until(lambda: children() <= before)
    assert not alive(worker)


EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_seed_example_runs_as_a_plain_script(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / "01_seed_dask.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().isdigit() and int(done.stdout) % 4 == 0, done
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


#: runs each example given on the command line with every engine on one Dask cluster
ON_DASK = """
import contextlib, io, runpy, sys, traceback
from distributed import LocalCluster
from radical.asyncflow import DaskExecutionBackend
from radical.asyncflow.runtime.engine import override_backend

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1",
                      dashboard_address=None, scheduler_kwargs={"dashboard": False,
                      "dashboard_address": "127.0.0.1:0"}) as cluster:
        address = cluster.scheduler_address
        for path in sys.argv[1:]:
            out = io.StringIO()
            try:
                with override_backend(lambda: DaskExecutionBackend(address=address)), \\
                        contextlib.redirect_stdout(out):
                    runpy.run_path(path, run_name="__main__")
            except BaseException:
                print("FAILED", path, traceback.format_exc().replace(chr(10), " | "))
            else:
                print("OK" if out.getvalue().strip() else "SILENT", path)
"""


#: examples that cannot run with Dask as their only backend, and why
NOT_ON_DASK = {"22_service.py": "a service task needs a backend with supports_services"}


def test_every_dynamic_example_runs_on_dask(tmp_path):
    """Every example, with each of its engines' backends replaced by one Dask cluster."""
    scripts = sorted(str(p) for p in EXAMPLES.glob("*.py")
                     if not p.name.startswith(("00_", "01_")) and p.name not in NOT_ON_DASK)
    done = subprocess.run([sys.executable, "-c", ON_DASK, *scripts], cwd=tmp_path,
                          capture_output=True, text=True, timeout=100)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == len(scripts), done.stderr[-3000:]
    assert all(line.startswith("OK") for line in lines), "\n".join(lines)


async def test_awaited_construction_with_cluster_options():
    backend = await DaskExecutionBackend({"n_workers": 1, "threads_per_worker": 1,
                                          "processes": False})
    flow = await WorkflowEngine.create(backend=backend)

    @flow.function_task
    async def co(x):
        await asyncio.sleep(0)
        return x + 1

    assert await co(co(1)) == 3
    await flow.shutdown()
    assert backend.client is None


async def test_attaching_to_a_client_leaves_the_cluster_running():
    async with LocalCluster(n_workers=1, asynchronous=True, **THREADS) as mine, \
            Client(mine, asynchronous=True) as client:
        flow = await WorkflowEngine.create(backend=DaskExecutionBackend(client=client))

        @flow.function_task
        def double(x):
            return 2 * x

        assert await double(double(5)) == 20
        await flow.shutdown()
        assert client.status == "running"
        assert await client.submit(sum, [1, 2]) == 3


def test_attaching_by_address_leaves_the_cluster_running(cluster, flow):
    @flow.function_task
    def one():
        return 1

    assert one().result(timeout=30) == 1
    flow.shutdown()
    with Client(cluster) as client:
        assert client.submit(sum, [1, 2]).result(timeout=30) == 3
        assert len(client.scheduler_info()["workers"]) == 2


# -- tasks -----------------------------------------------------------------------------
def test_sync_and_async_function_tasks(flow):
    @flow.function_task
    def square(x):
        return x * x

    @flow.function_task
    async def add(a, b):
        await asyncio.sleep(0.01)
        return a + b

    assert add(square(3), square(4)).result(timeout=30) == 25


def test_executables_run_on_workers(flow, tmp_path):
    @flow.executable_task
    def rand():
        return "echo $RANDOM"

    @flow.executable_task
    def quoted(text):
        return f"printf '%s|' {text!r} \"$HOSTNAME\" > /dev/null; echo 'a  b'"

    @flow.executable_task
    def fails():
        return "echo doomed >&2; exit 7"

    out = rand().result(timeout=30)
    assert isinstance(out, CommandOutput) and 0 <= int(out) < 32768
    assert quoted("x y").result(timeout=30) == "a  b\n"
    with pytest.raises(ExecutableError) as info:
        fails().result(timeout=30)
    assert info.value.exit_code == 7 and "doomed" in info.value.stderr


def test_kwargs_and_nested_futures(flow):
    @flow.function_task
    def num(x):
        return x

    @flow.function_task
    def collect(a, *rest, key=None, nested=None):
        return a, rest, key, nested

    one, two, three = num(1), num(2), num(3)
    out = collect(one, [two, (three,)], key=two, nested={"x": [one, {"y": three}]})
    assert out.result(timeout=30) == (1, ([2, (3,)],), 2, {"x": [1, {"y": 3}]})


def test_blocks_run_their_tasks_on_dask(flow):
    @flow.function_task
    def inc(x):
        return x + 1

    @flow.block
    def sync_block(x):
        return inc(inc(x)).result()

    @flow.block
    async def async_block(x):
        return await inc(await inc(x))

    assert async_block(sync_block(0)).result(timeout=30) == 4


def test_large_results_stay_on_the_cluster_while_alive(flow, cluster):
    class Blob:
        def __init__(self, n):
            self.data = b"x" * n

    @flow.function_task
    def make(n):
        return Blob(n)

    @flow.function_task
    def use(blob, pair, small):
        from distributed import get_worker
        from distributed.worker import thread_state

        dependencies = get_worker().state.tasks[thread_state.key].dependencies
        return len(blob.data), pair[1] is blob, len(small.data), len(dependencies)

    def made_keys():
        keys = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks))
        return [k for k in keys if k.startswith("make-")]

    big, small = make(1_000_000), make(10)
    # the big value goes by reference (one Dask dependency, used twice), the small one inline
    assert use(big, [0, big], small).result(timeout=30) == (1_000_000, True, 10, 1)
    with Client(cluster) as client:  # the small result is released, the big one stays
        wait_until(lambda: len(made_keys()) == 1)
        assert made_keys()[0].endswith(f"-{big.uid}-1")
        del big
        gc.collect()
        wait_until(lambda: not made_keys())


def test_failure_propagates_to_dependents(flow):
    @flow.function_task
    def broken():
        raise ValueError("root cause")

    @flow.function_task
    def after(x):
        return x

    with pytest.raises(DependencyFailureError) as info:
        after(after(broken())).result(timeout=30)
    assert isinstance(info.value.root_cause, ValueError)
    assert "root cause" in str(info.value.root_cause)


def test_unpicklable_argument_or_result_is_a_serialization_error(flow):
    @flow.function_task
    def take(x, lock=None):
        return 1

    @flow.function_task
    def give():
        return threading.Lock()

    with pytest.raises(SerializationError, match=r"argument lock= \(lock\)"):
        take(1, lock=threading.Lock()).result(timeout=30)
    with pytest.raises(SerializationError, match="result"):
        give().result(timeout=30)
    assert take(2).result(timeout=30) == 1


def test_task_description_keys_reach_dask(flow, cluster, tmp_path):
    addresses = sorted(cluster.scheduler_info["workers"])

    @flow.function_task(task_description={"workers": [addresses[1]], "priority": 10})
    def where():
        from distributed import get_worker

        return get_worker().address

    @flow.function_task(task_description={"retries": 2})
    def flaky(directory):
        marks = pathlib.Path(directory)
        runs = len(list(marks.glob("run-*")))
        (marks / f"run-{runs}").touch()
        if runs < 2:
            raise RuntimeError(f"flaky run {runs}")
        return runs

    @flow.function_task
    def plain():
        return "ok"

    assert where().result(timeout=30) == addresses[1]
    assert flaky(str(tmp_path)).result(timeout=30) == 2
    with pytest.raises(TaskDescriptionError, match="'cores'"):
        plain(task_description={"cores": 4}).result(timeout=30)
    with pytest.raises(TaskDescriptionError, match="'retries'"):
        plain(task_description={"retries": "many"}).result(timeout=30)
    assert plain().result(timeout=30) == "ok"
    # the portable Radical.Pilot keys are accepted and ignored, as on the local backend
    assert plain(task_description={"ranks": 2, "cores_per_rank": 1}).result(timeout=30) == "ok"


# -- cancellation ----------------------------------------------------------------------
def test_cancelling_a_running_executable_kills_its_process_group(flow, tmp_path):
    pidfile = tmp_path / "sleep.pid"

    @flow.executable_task
    def long_sleep():
        return f"sleep 60 & echo $! > {pidfile}; wait"

    future = long_sleep()
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip())
    sleeper = int(pidfile.read_text())
    assert alive(sleeper)
    assert future.cancel()
    assert future.cancelled()
    wait_until(lambda: not alive(sleeper))


def test_cancelling_a_running_function_task(flow, tmp_path):
    @flow.function_task
    def held(directory):
        return hold(directory, "held")

    @flow.function_task
    def quick():
        return "quick"

    future = held(str(tmp_path))
    wait_until(lambda: (tmp_path / "held.started").exists())
    assert future.cancel()
    assert future.cancelled()
    (tmp_path / "release").touch()  # a running Python body cannot be interrupted
    assert quick().result(timeout=30) == "quick"


def test_an_executable_past_its_timeout_is_killed(flow, tmp_path):
    pidfile = tmp_path / "sleep.pid"

    @flow.executable_task(timeout=1)
    def too_slow():
        return f"echo $$ > {pidfile}; exec sleep 60"

    with pytest.raises(TaskTimeout):
        too_slow().result(timeout=30)
    wait_until(lambda: pidfile.exists())
    sleeper = int(pidfile.read_text())
    wait_until(lambda: not alive(sleeper))


# -- worker death and a lost cluster ---------------------------------------------------------
@pytest.mark.restarts_workers
def test_worker_killed_mid_task_is_retried(flow, tmp_path):
    @flow.function_task
    def victim(directory):
        marks = pathlib.Path(directory)
        runs = len(list(marks.glob("run-*")))
        (marks / f"run-{runs}").write_text(str(os.getpid()))
        if runs == 0:
            hold(directory, "victim")
        return runs

    future = victim(str(tmp_path))
    wait_until(lambda: (tmp_path / "victim.started").exists())
    os.kill(int((tmp_path / "victim.started").read_text()), signal.SIGKILL)
    assert future.result(timeout=60) == 1
    assert len(list(tmp_path.glob("run-*"))) == 2


def test_poison_task_exhausts_allowed_failures_while_the_rest_completes():
    # Dask charges a death to every task the dead worker was processing, queued
    # ones included; with one thread and no queueing on workers only the
    # running task is charged, so the bystanders are never blamed.
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, **PROCESSES) as mine:
        flow = WorkflowEngine(backend=DaskExecutionBackend(address=mine.scheduler_address))

        @flow.function_task
        def poison():
            os.kill(os.getpid(), signal.SIGKILL)

        @flow.function_task
        def fine(i):
            return i

        doomed = poison()
        rest = [fine(i) for i in range(20)]
        with pytest.raises(WorkerLost, match=r"poison.*died 4 times \(allowed_failures=3\)"):
            doomed.result(timeout=60)
        assert [f.result(timeout=60) for f in rest] == list(range(20))
        flow.shutdown()


async def run_until_cluster_closes(flow, close, directory: pathlib.Path, deadline: float) -> None:
    """Two held tasks and a dependent; ``close()`` the cluster; all fail within ``deadline``."""

    @flow.function_task
    def held(directory, tag):
        return hold(directory, tag)

    @flow.function_task
    def after(x):
        return x

    (directory / "done").mkdir()
    (directory / "done" / "release").touch()
    assert await held(str(directory / "done"), "done")
    stuck = [held(str(directory), f"stuck{i}") for i in range(2)]
    dependent = after(stuck[0])
    await asyncio.to_thread(wait_until, lambda: len(list(directory.glob("*.started"))) == 2)
    closing = asyncio.create_task(close())
    try:
        started = time.monotonic()
        outcomes = await asyncio.wait_for(
            asyncio.gather(*stuck, dependent, return_exceptions=True), deadline)
        print(f"all unfinished tasks failed {time.monotonic() - started:.2f} s after close()")
        assert all(isinstance(o, BackendLost) and "lost its cluster" in str(o)
                   for o in outcomes[:2]), outcomes
        assert isinstance(outcomes[2], DependencyFailureError)
    finally:
        (directory / "release").touch()
        await closing
        await flow.shutdown()


async def test_own_thread_cluster_closed_mid_run_fails_unfinished_tasks(tmp_path):
    ours = listeners({os.getpid()})
    backend = DaskExecutionBackend({"n_workers": 1, "threads_per_worker": 2, "processes": False})
    flow = await WorkflowEngine.create(backend=backend)
    assert {ip for ip, _ in listeners({os.getpid()}) - ours} == {"127.0.0.1"}
    await run_until_cluster_closes(flow, backend.cluster.close, tmp_path, deadline=5)


async def test_attached_process_cluster_closed_mid_run_fails_unfinished_tasks(tmp_path):
    mine = await LocalCluster(n_workers=1, threads_per_worker=2, asynchronous=True, **PROCESSES)
    flow = await WorkflowEngine.create(backend=DaskExecutionBackend(address=mine.scheduler_address))
    # Dask needs about 4 s to close a cluster whose workers run tasks; the
    # scheduler's goodbye is what fails the tasks here.
    await run_until_cluster_closes(flow, mine.close, tmp_path, deadline=10)


# -- chaos (R13) -------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.chaos
def test_diamond_dag_under_a_worker_killer_is_correct_or_fails_cleanly(tmp_path):
    """R13 on Dask: every task is right, or fails with WorkerLost/BackendLost; never a hang.

    The killer gives each worker incarnation an exponential lifetime, 1 s
    on average by default (about 5 s a run).  ``RAF_CHAOS_MEAN=0.5`` is R13
    exactly: a Dask worker needs about 1 s to restart, so runs take 9-26 s
    and often end with BackendLost, because a kill during a worker's start
    makes its nanny give up for good; once no worker is left the backend's
    ``no_worker_timeout`` fails the rest.  Rerun a seed with ``RAF_CHAOS_SEED``.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    seed = int(os.environ.get("RAF_CHAOS_SEED", time.time_ns() % 10_000))
    mean = float(os.environ.get("RAF_CHAOS_MEAN", "1.0"))
    print(f"chaos seed {seed}, mean lifetime {mean} s")
    lives = str(tmp_path)

    class Killer(WorkerPlugin):
        def setup(self, worker):
            import random

            incarnation = len(list(pathlib.Path(lives).glob(f"{worker.name}-*")))
            (pathlib.Path(lives) / f"{worker.name}-{incarnation}").touch()
            delay = random.Random(f"{seed}-{worker.name}-{incarnation}").expovariate(1 / mean)
            worker.loop.asyncio_loop.call_later(delay, os.kill, os.getpid(), signal.SIGKILL)

    with LocalCluster(n_workers=2, threads_per_worker=1, **PROCESSES) as mine, \
            Client(mine) as client:
        flow = WorkflowEngine(backend=DaskExecutionBackend(address=mine.scheduler_address,
                                                           no_worker_timeout=10))

        @flow.function_task
        def source():
            return 1

        @flow.function_task
        def middle(x, i):
            time.sleep(0.02)  # the work: long enough for the killer to strike
            return x + i

        @flow.function_task
        def join(values):
            return sum(values)

        client.register_plugin(Killer(), name="killer")
        started = time.monotonic()
        root = source()
        middles = [middle(root, i) for i in range(198)]
        final = join(middles)
        flow_futures = [root, *middles, final]
        wait_until(lambda: all(f.done() for f in flow_futures), timeout=60)
        outcomes = [type(getattr(f.exception(), "root_cause", f.exception())).__name__
                    for f in flow_futures]
        print(f"done in {time.monotonic() - started:.1f} s, "
              f"{len(list(tmp_path.iterdir()))} worker lives: {collections.Counter(outcomes)}")
        assert set(outcomes) <= {"NoneType", "WorkerLost", "BackendLost"}, (seed, outcomes)
        if final.exception() is None:
            assert final.result() == 198 + sum(range(198))
        flow.shutdown(mode="cancel")
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin("killer")
