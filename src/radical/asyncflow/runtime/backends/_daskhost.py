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
import sys
from typing import Any

import cloudpickle


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


def main() -> None:
    options = cloudpickle.loads(base64.b64decode(sys.stdin.buffer.readline()))
    asyncio.run(_serve(options))


if __name__ == "__main__":
    main()
