"""The dynamic API in sync style: no event loop in the test, the engine runs its own."""

from __future__ import annotations

import threading

import pytest

from radical.asyncflow import (
    CommandOutput,
    LocalExecutionBackend,
    NoopExecutionBackend,
    ThreadExecutionBackend,
    WorkflowEngine,
)
from radical.asyncflow.errors import (
    BlockingCallError,
    DependencyFailureError,
    EngineClosedError,
    UnknownBackendError,
)


@pytest.fixture
def flow():
    engine = WorkflowEngine(backend=LocalExecutionBackend())
    yield engine
    engine.shutdown()


def test_seed_workflow_gives_a_number(flow):
    @flow.executable_task
    def task1():
        return "echo $RANDOM"

    @flow.function_task
    def task2(t1_result):
        return t1_result * 2 * 2

    t1 = task1().result()
    assert isinstance(t1, CommandOutput) and t1.strip().isdigit()
    assert task2(t1).result(timeout=10) == int(t1) * 4


def test_futures_anywhere_in_arguments_arrive_as_values(flow):
    @flow.function_task
    def num(x):
        return x

    @flow.function_task
    def collect(a, *rest, key=None, nested=None):
        return a, rest, key, nested

    one, two, three = num(1), num(2), num(3)
    out = collect(
        one, [two, (three,)], key=two, nested={"x": [one, {"y": three}], "s": {two}}
    ).result(timeout=10)
    assert out == (1, ([2, (3,)],), 2, {"x": [1, {"y": 3}], "s": {2}})


def test_same_future_passed_twice_is_one_dependency(flow):
    seen = []

    @flow.function_task
    def src():
        seen.append("src")
        return 5

    @flow.function_task
    def add(a, b):
        return a + b

    s = src()
    assert add(s, s).result(timeout=10) == 10
    assert seen == ["src"]


def test_diamond(flow):
    @flow.function_task
    def top():
        return 1

    @flow.function_task
    def side(x, k):
        return x * k

    @flow.function_task
    def bottom(a, b):
        return a + b

    t = top()
    assert bottom(side(t, 2), side(t, 3)).result(timeout=10) == 5


def test_fan_out_fan_in_of_500(flow):
    @flow.function_task
    def square(i):
        return i * i

    @flow.function_task
    def total(*xs):
        return sum(xs)

    assert total(*[square(i) for i in range(500)]).result(timeout=30) == sum(
        i * i for i in range(500)
    )


def test_failure_keeps_own_exception_and_fails_dependents(flow):
    @flow.function_task
    def boom():
        raise ValueError("bad input")

    @flow.function_task
    def after(x):
        return x

    @flow.function_task
    def fine():
        return "ok"

    b = boom()
    dep = after(after(b))
    with pytest.raises(ValueError, match="bad input"):
        b.result(timeout=10)
    err = dep.exception(timeout=10)
    assert isinstance(err, DependencyFailureError)
    assert isinstance(err.root_cause, ValueError) and err.__cause__ is err.root_cause
    assert err.failed_dependencies == ["after"]
    assert fine().result(timeout=10) == "ok"
    assert b.state == "FAILED" and dep.state == "FAILED"


def test_twenty_failures_in_a_row_leave_engine_usable(flow):
    @flow.function_task
    def boom(i):
        raise RuntimeError(i)

    @flow.function_task
    def ok():
        return 1

    futs = [boom(i) for i in range(20)]
    for i, f in enumerate(futs):
        with pytest.raises(RuntimeError, match=str(i)):
            f.result(timeout=10)
    assert ok().result(timeout=10) == 1


def test_thousand_deep_failure_chain(flow):
    @flow.function_task
    def boom():
        raise KeyError("root")

    @flow.function_task
    def step(x):
        return x

    f = boom()
    for _ in range(1000):
        f = step(f)
    err = f.exception(timeout=30)
    assert isinstance(err, DependencyFailureError) and isinstance(err.root_cause, KeyError)


def test_blocks_nested_and_as_dependencies(flow):
    @flow.function_task
    def inc(x):
        return x + 1

    @flow.block
    def inner(x):
        return inc(inc(x)).result()

    @flow.block
    async def outer(x):
        return await inc(inner(x))

    @flow.function_task
    def double(x):
        return 2 * x

    assert double(outer(1)).result(timeout=10) == 8


def test_result_on_the_loop_thread_is_an_error_not_a_deadlock():
    with WorkflowEngine(backend=LocalExecutionBackend()) as flow:

        @flow.function_task
        def slow():
            return 1

        @flow.function_task
        async def waits_on_loop(f):
            return f  # async bodies run on the engine's loop in thread mode

        @flow.block
        async def blocker():
            return slow().result()

        with pytest.raises(BlockingCallError, match="use 'await'"):
            blocker().result(timeout=10)


def test_result_timeout(flow):
    release = threading.Event()

    @flow.function_task
    def wait():
        release.wait(10)

    fut = wait()
    with pytest.raises(TimeoutError):
        fut.result(timeout=0.05)
    release.set()
    fut.result(timeout=10)


def test_two_engines_never_interfere():
    a = WorkflowEngine(backend=LocalExecutionBackend())
    b = WorkflowEngine(backend=LocalExecutionBackend())

    @a.function_task
    def fa(x):
        return ("a", x)

    @b.function_task
    def fb(x):
        return ("b", x)

    fut_a = [fa(i) for i in range(50)]
    a.shutdown()
    fut_b = [fb(i) for i in range(50)]  # b keeps working after a shut down
    assert [f.result(timeout=10) for f in fut_a] == [("a", i) for i in range(50)]
    assert [f.result(timeout=10) for f in fut_b] == [("b", i) for i in range(50)]
    assert fut_a[0].uid == fut_b[0].uid  # ids are per engine, and that is fine
    b.shutdown()


def test_shutdown_is_idempotent_and_refuses_new_work():
    flow = WorkflowEngine(backend=LocalExecutionBackend())

    @flow.function_task
    def f():
        return 1

    flow.shutdown()
    flow.shutdown()
    with pytest.raises(EngineClosedError, match="shut down"):
        f()


def test_shutdown_waits_for_work_in_flight():
    flow = WorkflowEngine(backend=LocalExecutionBackend())
    gate = threading.Event()

    @flow.function_task
    def slow(i):
        gate.wait(10)
        return i

    futs = [slow(i) for i in range(10)]
    threading.Timer(0.05, gate.set).start()  # unblocks the workers, not a sync point
    flow.shutdown()
    assert [f.result() for f in futs] == list(range(10))


def test_shutdown_cancel_mode_cancels_work_in_flight():
    flow = WorkflowEngine(backend=LocalExecutionBackend())

    @flow.executable_task
    def sleeper():
        return "sleep 30"

    @flow.function_task
    def after(x):
        return x

    running = sleeper()
    pending = after(running)
    flow.shutdown(mode="cancel")
    assert running.cancelled() and pending.cancelled()
    assert running.state == pending.state == "CANCELLED"


def test_thread_backend_seed_era_dict():
    with WorkflowEngine(backend=ThreadExecutionBackend({"max_workers": 2})) as flow:

        @flow.function_task
        def ident():
            return threading.current_thread().name

        names = {ident().result(timeout=10) for _ in range(20)}
        assert names <= {"raf-worker-0", "raf-worker-1"}


def test_dry_run_runs_no_body():
    ran = []
    with WorkflowEngine(dry_run=True) as flow:

        @flow.function_task
        def f():
            ran.append(1)

        @flow.executable_task
        def e():
            ran.append(2)
            return "false"

        assert f().result(timeout=5) == "Dummy Output"
        assert e().result(timeout=5) == "Dummy Output"
    assert ran == []
    assert isinstance(flow.backend, NoopExecutionBackend)


def test_unknown_backend_fails_only_that_task(flow):
    @flow.function_task(backend="gpu")
    def on_gpu():
        return 1

    @flow.function_task
    def here():
        return 2

    with pytest.raises(UnknownBackendError, match="'gpu'"):
        on_gpu().result(timeout=5)
    assert here().result(timeout=5) == 2


def test_named_backends_route_tasks():
    local = LocalExecutionBackend(name="local")
    dry = NoopExecutionBackend(name="dry")
    with WorkflowEngine(backend=[local, dry]) as flow:

        @flow.function_task
        def real():
            return "ran"

        @flow.function_task(backend="dry")
        def fake():
            return "ran"

        assert real().result(timeout=5) == "ran"
        assert fake().result(timeout=5) == "Dummy Output"
        assert real(backend="dry").result(timeout=5) == "Dummy Output"


def test_shutdown_wait_lets_pending_blocks_create_their_tasks():
    flow = WorkflowEngine(backend=LocalExecutionBackend())
    gate = threading.Event()

    @flow.function_task
    def first():
        gate.wait(10)
        return 1

    @flow.function_task
    def inner(x):
        return x + 1

    @flow.block
    async def late(x):
        return await inner(inner(x))

    fut = late(first())  # the block body starts only after shutdown() began
    threading.Timer(0.05, gate.set).start()
    flow.shutdown()
    assert fut.result() == 3
