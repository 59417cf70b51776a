"""Shared fixtures: leak checks for everything that starts engines."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import psutil
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive()}


#: per-interpreter helpers of the standard library that live until the interpreter exits
_STDLIB_DAEMONS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")


def _children() -> set[int]:
    found = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.status() == "zombie":
                continue
            cmdline = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        if not any(daemon in cmdline for daemon in _STDLIB_DAEMONS):
            found.add(proc.pid)
    return found


def _settle(check, grace: float = 5.0):
    """Poll a leak check until it comes back empty or the grace period ends."""
    deadline = time.monotonic() + grace
    while True:
        left = check()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.fixture(scope="session", autouse=True)
def _stdlib_daemons():
    """Start multiprocessing's per-interpreter helpers once, before any leak snapshot."""
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()
    forkserver.ensure_running()


@pytest.fixture
def no_leaks():
    """Fail the test if it leaves threads, child processes or fds behind."""
    threads, children = _threads(), _children()
    fds = len(os.listdir("/proc/self/fd"))
    yield
    leaked_threads = _settle(
        lambda: {
            t
            for t in _threads() - threads
            if not t.daemon or t.name.startswith("raf") or t.name.startswith("radical")
        }
    )
    leaked_children = _settle(lambda: _children() - children)
    assert not leaked_threads, f"threads left running: {sorted(t.name for t in leaked_threads)}"
    assert not leaked_children, f"child processes left running: {sorted(leaked_children)}"
    extra_fds = _settle(lambda: max(0, len(os.listdir("/proc/self/fd")) - fds - 2))
    assert not extra_fds, f"{extra_fds} file descriptors leaked"


@pytest.fixture
def no_task_leaks():
    """For async tests: no asyncio task of ours may outlive the test body."""
    yield
    loop = asyncio.get_event_loop_policy().get_event_loop()
    left = (
        [t for t in asyncio.all_tasks(loop) if not t.done() and t is not asyncio.current_task(loop)]
        if loop.is_running()
        else []
    )
    assert not left, f"asyncio tasks left: {left}"
