"""Two backends in one workflow: light steps on one pool, heavy ones on another.

The first backend in the list is the default; ``backend="name"`` on the
decorator routes a task elsewhere, and ``backend=`` on a call overrides both.
On a cluster the "heavy" backend would be a ``RadicalExecutionBackend(...,
name="heavy")`` and nothing else changes.  An unknown name fails only that
task (``UnknownBackendError``).

    python examples/21_mixed_backends.py
    raf compile examples/21_mixed_backends.py     # each node records its backend
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

light = LocalExecutionBackend(name="light", max_workers=4)
heavy = LocalExecutionBackend(ThreadPoolExecutor(2, thread_name_prefix="heavy"), name="heavy")
flow = WorkflowEngine(backend=[light, heavy])


@flow.function_task
def prepare(n):
    return list(range(n))


@flow.function_task(backend="heavy")
def crunch(values, power):
    return threading.current_thread().name, sum(v**power for v in values)


@flow.executable_task
def archive(result):
    return f"echo archived sum={result[1]}"


data = prepare(1000)
squares = crunch(data, 2)
cubes = crunch(data, 3)
quick = crunch(data, 1, backend="light")  # the call overrides the decorator
for name, future in [("squares", squares), ("cubes", cubes), ("quick", quick)]:
    thread, total = future.result()
    print(f"{name:8} sum={total:<14} ran on {thread.rstrip('_-0123456789')}")
print(archive(squares).result().strip())
flow.shutdown()
