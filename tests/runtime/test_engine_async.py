"""The dynamic API in async style, with a scripted fake backend for interleavings."""

from __future__ import annotations

import asyncio

import pytest

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import DependencyFailureError, TaskTimeout
from radical.asyncflow.runtime.backends.fake import FakeBackend


def our_tasks():
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


@pytest.fixture
async def fake():
    backend = FakeBackend()
    flow = await WorkflowEngine.create(backend=backend)
    yield flow, backend
    await flow.shutdown(mode="cancel")
    assert not our_tasks()


async def test_create_and_await(fake):
    flow, _ = fake

    @flow.function_task
    def add(a, b):
        return a + b

    assert await add(add(1, 2), b=add(3, 4)) == 10


async def test_async_with_engine():
    async with WorkflowEngine(backend=LocalExecutionBackend()) as flow:

        @flow.function_task
        async def co(x):
            await asyncio.sleep(0)
            return x + 1

        assert await asyncio.gather(*[co(i) for i in range(5)]) == [1, 2, 3, 4, 5]
    assert flow.is_shut_down
    assert not our_tasks()


async def test_future_states_follow_the_task(fake):
    flow, backend = fake
    first_gate, work_gate = backend.hold("first"), backend.hold("work")

    @flow.function_task
    def first():
        return 1

    @flow.function_task
    def work(x):
        return x

    fut = work(first())
    await first_gate.started.wait()
    assert fut.state == "PENDING" and not fut.done()
    first_gate.release(1)
    await work_gate.started.wait()
    assert fut.state == "RUNNING"
    work_gate.release(7)
    assert await fut == 7 and fut.state == "DONE"


async def test_cancel_pending_task_cancels_dependents(fake):
    flow, backend = fake
    gate = backend.hold("first")

    @flow.function_task
    def first():
        return 1

    @flow.function_task
    def second(x):
        return x

    @flow.function_task
    def third(x):
        return x

    a = first()
    b = second(a)
    c = third(b)
    await gate.started.wait()
    assert b.cancel("not needed") is True
    assert b.cancelled() and c.cancelled() and c.state == "CANCELLED"
    assert b.cancel() is False  # idempotent
    gate.release(1)
    assert await a == 1
    assert [s.name for s in backend.submitted] == ["first"]


async def test_cancel_running_task_asks_backend_and_settles_on_confirmation(fake):
    flow, backend = fake
    gate = backend.hold("long")

    @flow.function_task
    def long():
        return 1

    fut = long()
    await gate.started.wait()
    assert fut.cancel() is True
    with pytest.raises(asyncio.CancelledError):
        await fut
    assert backend.cancelled == [(fut.uid, "cancelled")]


async def test_dependent_created_after_failure_fails_at_once(fake):
    flow, backend = fake
    backend.fail("boom", OSError("disk"))

    @flow.function_task
    def boom():
        return 1

    @flow.function_task
    def later(x):
        return x

    b = boom()
    with pytest.raises(OSError):
        await b
    with pytest.raises(DependencyFailureError) as info:
        await later(b)
    assert isinstance(info.value.root_cause, OSError)
    assert [s.name for s in backend.submitted] == ["boom"]


async def test_retries_relaunch_failed_tasks(fake):
    flow, backend = fake
    attempts = []

    @flow.function_task(retries=2)
    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return "ok"

    assert await flaky() == "ok"
    assert len(attempts) == 3
    assert [s.attempt for s in backend.submitted] == [1, 2, 3]


async def test_retries_exhausted_report_the_last_error(fake):
    flow, _ = fake

    @flow.function_task(retries=1)
    def always():
        raise ConnectionError("still down")

    with pytest.raises(ConnectionError, match="still down"):
        await always()


async def test_block_cancellation_cancels_its_members(fake):
    flow, backend = fake
    gate = backend.hold("member")

    @flow.function_task
    def member():
        return 1

    @flow.block
    async def group():
        return await member()

    blk = group()
    await gate.started.wait()
    blk.cancel()
    with pytest.raises(asyncio.CancelledError):
        await blk
    assert len(backend.cancelled) == 1


async def test_block_failure_propagates_to_dependents(fake):
    flow, _ = fake

    @flow.block
    async def broken():
        raise LookupError("inside block")

    @flow.function_task
    def after(x):
        return x

    with pytest.raises(DependencyFailureError) as info:
        await after(broken())
    assert isinstance(info.value.root_cause, LookupError)


async def test_events_and_workflow_scope(fake):
    flow, _ = fake
    events = []
    unsubscribe = flow.subscribe(events.append)

    @flow.function_task
    def f(x):
        return x

    @flow.block
    async def blk():
        return await f(1)

    async with flow.workflow_scope("campaign-1") as wid:
        a = f(1)
    b = f(a, workflow_id="explicit")
    await b
    await blk()
    unsubscribe()
    await f(2)
    by_uid = {}
    for e in events:
        by_uid.setdefault(e.uid, []).append(e.kind)
    assert by_uid[a.uid] == ["created", "submitted", "done"]
    created = {e.uid: e for e in events if e.kind == "created"}
    assert wid == "campaign-1" and created[a.uid].workflow_id == "campaign-1"
    assert created[b.uid].workflow_id == "explicit" and created[b.uid].dependencies == (a.uid,)
    inner = [e for e in created.values() if e.parent is not None]
    assert len(inner) == 1 and inner[0].name == "f"
    done = [e for e in events if e.kind == "done"]
    assert all(e.duration is not None and e.duration >= 0 for e in done)
    assert len(created) == 4  # nothing recorded after unsubscribing


async def test_timeout_fails_a_function_task_with_tasktimeout():
    async with WorkflowEngine(backend=LocalExecutionBackend()) as flow:

        @flow.function_task(timeout=0.05)
        async def hangs():
            await asyncio.Event().wait()

        with pytest.raises(TaskTimeout, match=r"timed out after 0\.05 s"):
            await hangs()


async def test_executable_body_sees_resolved_values():
    async with WorkflowEngine(backend=LocalExecutionBackend()) as flow:

        @flow.function_task
        def name():
            return "world"

        @flow.executable_task
        def greet(who, punct="!"):
            return f"printf '%s' 'hello {who}{punct}'"

        assert await greet(name(), punct=name()) == "hello worldworld"


async def test_executable_body_returning_non_string_fails_clearly():
    async with WorkflowEngine(backend=LocalExecutionBackend()) as flow:

        @flow.executable_task
        def bad():
            return None

        with pytest.raises(TypeError, match="non-empty command string"):
            await bad()


async def test_backends_work_when_awaited_before_the_engine():
    from concurrent.futures import ThreadPoolExecutor

    from radical.asyncflow import NoopExecutionBackend

    backend = await LocalExecutionBackend(ThreadPoolExecutor(2))
    async with WorkflowEngine(backend=backend) as flow:
        @flow.function_task
        def f(x):
            return x * 2

        assert await f(f(1)) == 4
    dry = await NoopExecutionBackend()
    async with WorkflowEngine(backend=dry) as flow:
        assert await flow.function_task(lambda: 1)() == "Dummy Output"


async def test_sync_constructor_inside_a_running_loop_uses_that_loop():
    flow = WorkflowEngine(backend=LocalExecutionBackend())
    assert flow._loop is asyncio.get_running_loop()

    @flow.function_task
    async def f():
        return asyncio.get_running_loop()

    assert await f() is asyncio.get_running_loop()  # async bodies run on the engine loop
    await flow.shutdown()
