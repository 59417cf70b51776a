"""Shared fixtures: leak checks for everything that starts engines."""

from __future__ import annotations

import os
import threading
import time

import psutil
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive()}


#: process-wide thread pools that libraries keep for the life of the interpreter
_LIBRARY_THREADS = ("Dask-Offload",)
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
def no_leaks(request):
    """Fail the test if it leaves threads, child processes or fds behind.

    A test marked ``restarts_workers`` kills a worker of a cluster shared by its
    module, whose replacement rightly outlives the test: its processes are not
    checked (threads and fds still are).  A test marked ``library_keeps_fds``
    opens a second Radical.Pilot session in the process, whose ZeroMQ sockets
    radical.utils keeps open after ``close()``: its fds are not counted.
    """
    restarts = request.node.get_closest_marker("restarts_workers") is not None
    library_fds = request.node.get_closest_marker("library_keeps_fds") is not None
    threads, children = _threads(), _children()
    fds = len(os.listdir("/proc/self/fd"))
    yield
    leaked_threads = _settle(
        lambda: {
            t
            for t in _threads() - threads
            if not t.name.startswith(_LIBRARY_THREADS)
            and (not t.daemon or t.name.startswith(("raf", "radical")))
        }
    )
    leaked_children = set() if restarts else _settle(lambda: _children() - children)
    assert not leaked_threads, f"threads left running: {sorted(t.name for t in leaked_threads)}"
    assert not leaked_children, f"child processes left running: {sorted(leaked_children)}"
    if library_fds:
        return
    extra_fds = _settle(lambda: max(0, len(os.listdir("/proc/self/fd")) - fds - 2))
    assert not extra_fds, f"{extra_fds} file descriptors leaked"
