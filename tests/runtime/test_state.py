"""The scheduler state machine on its own: events in, actions out, no event loop."""

from __future__ import annotations

import itertools

import pytest

from radical.asyncflow.errors import DependencyFailureError
from radical.asyncflow.runtime import state as S


def rec(uid: str, retries: int = 0) -> S.Record:
    return S.Record(uid, uid, "function", retries)


def kinds(actions):
    return [(a[0], a[1].uid) for a in actions]


@pytest.fixture
def sched():
    s = S.Scheduler()
    yield s
    s.validate()


def test_task_without_dependencies_is_submitted_at_once(sched):
    a = rec("a")
    assert kinds(sched.add(a)) == [(S.SUBMIT, "a")]
    assert a.state == S.SUBMITTED


def test_completion_releases_dependents_exactly_when_all_are_done(sched):
    a, b, c = rec("a"), rec("b"), rec("c")
    sched.add(a), sched.add(b)
    assert sched.add(c, [a, b]) == []
    assert kinds(sched.succeeded(a, 1)) == [(S.RESOLVE, "a")]
    sched.validate()
    assert kinds(sched.succeeded(b, 2)) == [(S.RESOLVE, "b"), (S.SUBMIT, "c")]
    assert kinds(sched.succeeded(c, 3)) == [(S.RESOLVE, "c")]
    assert not sched.active


def test_failure_marks_transitive_dependents_with_root_cause(sched):
    a, b, c, d = rec("a"), rec("b"), rec("c"), rec("d")
    sched.add(a)
    sched.add(b, [a])
    sched.add(c, [b])
    sched.add(d)
    boom = ValueError("boom")
    actions = sched.failed(a, boom)
    assert kinds(actions) == [(S.REJECT, "a"), (S.REJECT, "b"), (S.REJECT, "c")]
    err_b, err_c = actions[1][2], actions[2][2]
    assert isinstance(err_c, DependencyFailureError)
    assert err_b.failed_dependencies == ["a"] and err_c.failed_dependencies == ["b"]
    assert err_c.root_cause is boom and err_c.__cause__ is boom
    assert b.state == c.state == S.DEP_FAILED
    assert d.state == S.SUBMITTED  # unrelated work is untouched


def test_thousand_deep_failure_chain_needs_no_recursion(sched):
    chain = [rec(f"t{i}") for i in range(5000)]
    sched.add(chain[0])
    for prev, cur in itertools.pairwise(chain):
        sched.add(cur, [prev])
    actions = sched.failed(chain[0], RuntimeError("root"))
    assert len(actions) == 5000
    assert all(isinstance(a[2].root_cause, RuntimeError) for a in actions[1:])


def test_retry_relaunches_until_budget_is_spent(sched):
    a = rec("a", retries=2)
    sched.add(a)
    assert kinds(sched.failed(a, OSError())) == [(S.RETRY, "a")]
    assert a.attempt == 2
    assert kinds(sched.failed(a, OSError())) == [(S.RETRY, "a")]
    assert kinds(sched.failed(a, OSError())) == [(S.REJECT, "a")]
    assert a.attempt == 3 and a.state == S.FAILED


def test_non_retryable_failure_is_final_at_once(sched):
    a = rec("a", retries=5)
    sched.add(a)
    assert kinds(sched.failed(a, OSError(), retryable=False)) == [(S.REJECT, "a")]


def test_cancel_pending_task_cancels_dependents_not_fails_them(sched):
    a, b, c = rec("a"), rec("b"), rec("c")
    sched.add(a)
    sched.add(b, [a])
    sched.add(c, [b])
    actions = sched.cancel(b, "user")
    assert kinds(actions) == [(S.CANCELLED, "b"), (S.CANCELLED, "c")]
    assert c.state == S.CANCELED
    assert kinds(sched.succeeded(a, 1)) == [(S.RESOLVE, "a")]


def test_cancel_launched_task_asks_backend_then_waits_for_confirmation(sched):
    a = rec("a")
    sched.add(a)
    assert kinds(sched.cancel(a, "user")) == [(S.KILL, "a")]
    assert sched.cancel(a, "again") == []  # idempotent
    assert a.state == S.SUBMITTED
    assert kinds(sched.cancelled(a, "killed")) == [(S.CANCELLED, "a")]
    assert a.state == S.CANCELED


def test_result_arriving_after_cancel_request_still_cancels(sched):
    a = rec("a")
    sched.add(a)
    sched.cancel(a, "user")
    actions = sched.succeeded(a, 42)
    assert kinds(actions) == [(S.CANCELLED, "a")]


def test_dependency_already_failed_or_cancelled_at_creation(sched):
    b = rec("b")
    actions = sched.add(b, failed=[("a", KeyError("k"))])
    assert actions[0][0] == S.REJECT and isinstance(actions[0][2].root_cause, KeyError)
    c = rec("c")
    assert kinds(sched.add(c, cancelled=["a"])) == [(S.CANCELLED, "c")]


def test_reports_for_final_tasks_are_ignored(sched):
    a = rec("a")
    sched.add(a)
    sched.succeeded(a, 1)
    assert sched.succeeded(a, 2) == [] and sched.failed(a, OSError()) == []
    assert sched.cancel(a, "late") == [] and sched.cancelled(a, "late") == []


def test_validate_detects_a_broken_invariant():
    s = S.Scheduler()
    a, b = rec("a"), rec("b")
    s.add(a)
    s.add(b, [a])
    b.waiting = 0  # corrupt it
    with pytest.raises(AssertionError):
        s.validate()
