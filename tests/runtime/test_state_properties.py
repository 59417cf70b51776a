"""The scheduler under random event sequences (hypothesis RuleBasedStateMachine).

Invariants after every event: ``validate()`` holds; every task that left the
active table is in exactly one final state; a task never launches before all
its dependencies are DONE; a failed or cancelled dependency never lets a
dependent launch.  CI runs the default profile (~200 examples); ``RAF_FUZZ=1``
runs the long one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from radical.asyncflow.runtime import state as S

settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("long", max_examples=5000, stateful_step_count=100, deadline=None)
settings.load_profile("long" if os.environ.get("RAF_FUZZ") else "ci")


class SchedulerMachine(RuleBasedStateMachine):
    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.sched = S.Scheduler()
        self.all: dict[str, S.Record] = {}
        self.deps: dict[str, list[S.Record]] = {}
        self.launched: set[str] = set()
        self.count = 0

    def _apply(self, actions) -> None:
        for action in actions:
            kind, rec = action[0], action[1]
            if kind in (S.SUBMIT, S.RETRY):
                for dep in self.deps[rec.uid]:
                    assert dep.state == S.DONE or dep.state == S.CACHED, (
                        f"{rec.uid} launched before {dep.uid} was done"
                    )
                self.launched.add(rec.uid)

    @rule(
        target=tasks,
        deps=st.lists(tasks, max_size=3, unique_by=lambda r: r.uid),
        retries=st.integers(0, 2),
    )
    def add(self, deps, retries):
        self.count += 1
        rec = S.Record(f"t{self.count}", f"t{self.count}", "function", retries)
        self.all[rec.uid] = rec
        self.deps[rec.uid] = list(deps)
        pending = [d for d in deps if d.state not in S.FINAL]
        failed = [
            (d.name, RuntimeError(d.name)) for d in deps if d.state in (S.FAILED, S.DEP_FAILED)
        ]
        cancelled = [d.name for d in deps if d.state == S.CANCELED]
        self._apply(self.sched.add(rec, pending, failed, cancelled))
        return rec

    @rule(rec=tasks)
    def start(self, rec):
        self._apply(self.sched.started(rec))

    @rule(rec=tasks, value=st.integers())
    def succeed(self, rec, value):
        self._apply(self.sched.succeeded(rec, value))

    @rule(rec=tasks, retryable=st.booleans())
    def fail(self, rec, retryable):
        self._apply(self.sched.failed(rec, OSError("x"), retryable))

    @rule(rec=tasks)
    def cancel(self, rec):
        self._apply(self.sched.cancel(rec, "test"))

    @rule(rec=tasks)
    def confirm_cancel(self, rec):
        self._apply(self.sched.cancelled(rec, "backend"))

    @invariant()
    def consistent(self):
        self.sched.validate()
        for uid, rec in self.all.items():
            assert (uid in self.sched.active) == (rec.state not in S.FINAL)
            if rec.state == S.DONE:
                assert uid in self.launched
            if rec.state == S.DEP_FAILED:
                assert any(d.state in (S.FAILED, S.DEP_FAILED) for d in self.deps[uid])
        assert self.sched.finished == sum(r.state in S.FINAL for r in self.all.values())


TestScheduler = SchedulerMachine.TestCase
