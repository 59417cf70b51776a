"""Helpers of the Radical.Pilot test modules: bounded polls, RP's processes, run events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psutil

from radical.asyncflow import WorkflowEngine
from radical.asyncflow.runtime.backends import _rp_setup


def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def live(base: str, needle: str = "") -> list[psutil.Process]:
    """Live processes working inside ``base`` whose command line contains ``needle``."""
    found = []
    for proc in _rp_setup.processes_in(base):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and needle in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def running_event(flow: WorkflowEngine, name: str) -> threading.Event:
    """Set when the next task called ``name`` starts running (subscribe before calling it)."""
    started = threading.Event()

    def on_event(event):
        if event.name == name and event.kind == "running":
            started.set()
            unsubscribe()

    unsubscribe = flow.subscribe(on_event)
    return started
