"""Shapes x behaviours x backends, generated (STYLE 16; TESTPLAN R1, R2, R3, R10).

Every cell builds a workflow, runs it on a real backend and compares every
future with the outcome computed in plain Python.  Function and executable
tasks both take part: even nodes are function tasks, odd nodes executables.
"""

from __future__ import annotations

import itertools
import os

import pytest

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine
from radical.asyncflow.errors import DependencyFailureError, ExecutableError

from .shapes import BEHAVIOURS, EXIT, RAISE, RETRY, SHAPES, expected


class Injected(Exception):
    pass


def _engine(kind: str) -> WorkflowEngine:
    if kind == "threads":
        return WorkflowEngine(backend=LocalExecutionBackend())
    if kind == "processes":
        return WorkflowEngine(backend=LocalExecutionBackend(processes=True, max_workers=2))
    if kind == "radical.pilot":
        from radical.asyncflow import RadicalExecutionBackend

        return WorkflowEngine(backend=RadicalExecutionBackend({"resource": "local.localhost"}))
    from radical.asyncflow import DaskExecutionBackend

    return WorkflowEngine(
        backend=DaskExecutionBackend({"n_workers": 2, "threads_per_worker": 2, "processes": False})
    )


BACKENDS = [
    pytest.param("threads"),
    pytest.param("processes"),
    pytest.param("dask", marks=pytest.mark.dask),
    pytest.param("radical.pilot", marks=pytest.mark.rp),
]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request):
    flow = _engine(request.param)
    # start the backend's command workers and function runners (RAPTOR on Radical.Pilot)
    # now, so that the per-test leak check sees only what a cell leaves
    warm = flow.executable_task(lambda: "true")
    warm_function = flow.function_task(lambda: 0)
    warm().result(timeout=120)
    warm_function().result(timeout=120)
    yield flow
    flow.shutdown()


def build(flow, shape, behaviour, marker_dir):
    """Create the workflow's tasks; return their futures."""

    @flow.function_task(retries=1 if behaviour == RETRY else 0)
    def fnode(i, victim, mode, flag, *deps):
        if i == victim and mode == RAISE:
            raise Injected(f"node {i}")
        if i == victim and mode == RETRY and not os.path.exists(flag):
            open(flag, "w").close()
            raise Injected(f"node {i}, first attempt")
        return i + sum(int(d) for d in deps)

    @flow.executable_task(retries=1 if behaviour == RETRY else 0)
    def xnode(i, victim, mode, flag, *deps):
        total = i + sum(int(d) for d in deps)
        if i == victim and mode in (RAISE, EXIT):
            return f"echo 'injected failure' >&2; exit 3 # {total}"
        if i == victim and mode == RETRY:
            return f"if [ -e {flag} ]; then echo {total}; else touch {flag}; exit 4; fi"
        return f"echo {total}"

    futures = []
    for i, deps in enumerate(shape.deps):
        task = fnode if i % 2 == 0 else xnode
        flag = str(marker_dir / f"attempt-{i}")
        futures.append(task(i, shape.victim, behaviour, flag, *[futures[d] for d in deps]))
    return futures


@pytest.mark.parametrize(
    ("shape", "behaviour"),
    list(itertools.product(SHAPES, BEHAVIOURS)),
    ids=lambda v: getattr(v, "name", v),
)
def test_cell(engine, shape, behaviour, tmp_path):
    if behaviour == EXIT and shape.victim % 2 == 0:
        behaviour = RAISE  # a function node cannot exit; it raises instead
    futures = build(engine, shape, behaviour, tmp_path)
    for i, (fut, (outcome, value)) in enumerate(zip(futures, expected(shape, behaviour))):
        err = fut.exception(timeout=60)
        if outcome == "value":
            assert err is None, f"node {i}: {err!r}"
            assert int(fut.result()) == value, f"node {i}"
            assert fut.state == "DONE"
        elif outcome == "own-error":
            assert isinstance(err, Injected | ExecutableError), f"node {i}: {err!r}"
            if isinstance(err, ExecutableError):
                assert err.exit_code == 3 and "injected failure" in err.stderr
            assert fut.state == "FAILED"
        else:
            assert isinstance(err, DependencyFailureError), f"node {i}: {err!r}"
            assert isinstance(err.root_cause, Injected | ExecutableError)
            assert fut.state == "FAILED"
