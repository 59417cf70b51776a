"""A process that hosts a ``LocalCluster`` for :class:`DaskExecutionBackend`.

Why a separate process: Dask starts worker processes with ``spawn``, which
re-imports the user's ``__main__`` script in every worker.  A plain script
without an ``if __name__ == "__main__":`` guard (the seed examples) would run
the workflow again in each worker and the cluster would fail to start.  From
this host, the workers re-import this module instead, which is harmless; and
the scheduler does not compete with the engine for the user process's GIL.

Protocol: the parent writes one line, the base64 of the pickled
``LocalCluster`` keyword arguments, to stdin; the host answers with one line
on stdout, ``ok <scheduler address>`` or ``error <message>``, then waits.
End of stdin (the parent closed it, or died) closes the cluster and exits.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

import cloudpickle

from ...errors import BackendError


async def _serve(options: dict[str, Any]) -> None:
    from distributed import LocalCluster

    try:
        cluster = await LocalCluster(asynchronous=True, **options)
    except Exception as exc:  # reported to the parent
        _say(f"error {type(exc).__name__}: {exc}".replace("\n", " "))
        return
    try:
        _say(f"ok {cluster.scheduler_address}")
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
    finally:
        closing = cluster.close()
        if closing is not None:
            await closing


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class ClusterHost:
    """The parent's handle on a host process (see the module docstring)."""

    def __init__(self, proc: asyncio.subprocess.Process, address: str) -> None:
        self.proc = proc
        self.address = address

    @classmethod
    async def start(cls, options: Mapping[str, Any], timeout: float = 120.0) -> ClusterHost:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, start_new_session=True)
        host = cls(proc, "")
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(base64.b64encode(cloudpickle.dumps(dict(options))) + b"\n")
            await proc.stdin.drain()
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout)).decode().strip()
        except BaseException:
            await host.close()
            raise
        status, _, host.address = line.partition(" ")
        if status != "ok":
            await host.close()
            raise BackendError(f"the LocalCluster did not start: {host.address or 'no answer'}")
        return host

    async def close(self, timeout: float = 30.0) -> None:
        """Close the host's stdin (it closes the cluster), then make sure it is gone."""
        proc = self.proc
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


def main() -> None:
    options = cloudpickle.loads(base64.b64decode(sys.stdin.buffer.readline()))
    asyncio.run(_serve(options))


if __name__ == "__main__":
    main()
