"""LocalExecutionBackend: real subprocesses, real threads, real worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import psutil
import pytest

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import ExecutableError, SerializationError, TaskTimeout, WorkerLost


def procs_with(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if marker in " ".join(p.info["cmdline"] or []) and p.status() != "zombie":
                found.append(p)
        except psutil.Error:
            pass
    return found


@pytest.fixture
async def flow():
    async with WorkflowEngine(backend=LocalExecutionBackend(grace=0.2)) as engine:
        yield engine


async def test_commands_keep_their_quoting_and_run_under_bash(flow):
    @flow.executable_task
    def run(cmd):
        return cmd

    assert await run("echo 'a   b'") == "a   b\n"
    assert await run("bash -c 'echo \"x  y\"'") == "x  y\n"
    assert await run('echo "$((6 * 7))"') == "42\n"
    assert int(await run("echo $RANDOM")) >= 0
    assert await run("printf '%s|' one 'two three'") == "one|two three|"
    assert await run("/bin/echo plain") == "plain\n"


@pytest.mark.parametrize(
    ("command", "code", "stderr"),
    [
        ("exit 1", 1, ""),
        ("echo oops >&2; exit 15", 15, "oops"),
        ("definitely-not-a-command-xyz", 127, "not found"),
        ("/dev/null", 126, "Permission denied"),
        ("kill -9 $$", -9, ""),
    ],
)
async def test_failing_commands_report_exit_code_and_stderr(flow, command, code, stderr):
    @flow.executable_task
    def run():
        return command

    with pytest.raises(ExecutableError) as info:
        await run()
    assert info.value.exit_code == code
    assert stderr in info.value.stderr
    assert command in str(info.value)


async def test_cancelling_a_running_executable_kills_its_process_group(flow, tmp_path):
    marker = f"raf-marker-{os.getpid()}-cancel"
    started = tmp_path / "started"

    @flow.executable_task
    def tree():
        # a child that ignores SIGTERM, plus a grandchild: only a group SIGKILL ends both
        return f"trap '' TERM; touch {started}; (sleep 300; echo {marker}) & sleep 301 # {marker}"

    fut = tree()
    events = []
    flow.subscribe(events.append)
    while not started.exists():  # the command itself says it is running
        await asyncio.sleep(0.01)
    assert procs_with(marker)
    assert fut.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fut
    assert procs_with(marker) == []


async def test_timeout_kills_an_executable():
    async with WorkflowEngine(backend=LocalExecutionBackend(grace=0.1)) as flow:
        marker = f"raf-marker-{os.getpid()}-timeout"

        @flow.executable_task(timeout=0.3)
        def sleeper():
            return f"sleep 30 # {marker}"

        with pytest.raises(TaskTimeout):
            await sleeper()
        assert procs_with(marker) == []


async def test_executable_options_cwd_env_and_no_shell(flow, tmp_path):
    @flow.executable_task
    def where():
        return "pwd; echo $GREETING"

    @flow.executable_task
    def argv():
        return "printf %s|%s 'a b' c"

    out = await where(task_description={"cwd": str(tmp_path), "env": {"GREETING": "hi"}})
    assert out == f"{tmp_path}\nhi\n"
    assert await argv(task_description={"shell": False}) == "a b|c"


async def test_unknown_task_description_key_fails_that_task_only(flow):
    @flow.function_task
    def f():
        return 1

    with pytest.raises(ValueError, match="'colour'"):
        await f(task_description={"colour": "blue"})
    assert await f(task_description={"ranks": 4}) == 1  # portable HPC keys are accepted


# -- process mode -------------------------------------------------------------------


@pytest.fixture
async def procs():
    backend = LocalExecutionBackend(processes=True, max_workers=2, allowed_failures=2)
    async with WorkflowEngine(backend=backend) as engine:
        yield engine


async def test_process_mode_runs_closures_and_async_bodies(procs):
    factor = 3

    @procs.function_task
    def scale(x):
        return (os.getpid(), x * factor)

    @procs.function_task
    async def co(x):
        await asyncio.sleep(0)
        return x + 1

    pid, value = await scale(co(1))
    assert value == 6 and pid != os.getpid()


async def test_process_mode_names_unpicklable_argument(procs):
    @procs.function_task
    def takes(x, lock=None):
        return 1

    with pytest.raises(SerializationError, match="lock= \\(lock\\)"):
        await takes(1, lock=threading.Lock())


async def test_killed_worker_is_replaced_and_its_task_retried(procs, tmp_path):
    flag = tmp_path / "died-once"

    @procs.function_task
    def dies_once(x):
        if not flag.exists():
            flag.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return x * 10

    @procs.function_task
    def bystander(x):
        return x

    results = await asyncio.gather(dies_once(4), *[bystander(i) for i in range(6)])
    assert results == [40, 0, 1, 2, 3, 4, 5]


async def test_poison_task_fails_with_workerlost_and_the_rest_completes(procs):
    @procs.function_task
    def poison():
        os.kill(os.getpid(), signal.SIGKILL)

    @procs.function_task
    def fine(i):
        return i

    bad = poison()
    good = [fine(i) for i in range(8)]
    with pytest.raises(WorkerLost, match="died 3 times \\(allowed_failures=2\\)"):
        await bad
    assert await asyncio.gather(*good) == list(range(8))


async def test_executor_shut_down_underneath_fails_new_tasks_clearly():
    from concurrent.futures import ThreadPoolExecutor

    from radical.asyncflow.errors import BackendLost

    pool = ThreadPoolExecutor(2)
    async with WorkflowEngine(backend=LocalExecutionBackend(pool)) as flow:
        @flow.function_task
        def f(x):
            return x

        assert await f(1) == 1
        pool.shutdown()
        with pytest.raises(BackendLost, match="no longer accepts work"):
            await f(2)
