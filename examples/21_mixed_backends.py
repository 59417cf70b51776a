"""Two kinds of backend in one workflow: light steps on local threads, heavy ones on Dask.

The first backend in the list is the default; ``backend="name"`` on the
decorator routes a task elsewhere, and ``backend=`` on a call overrides both.
On a cluster the "heavy" backend would be a ``RadicalExecutionBackend({...},
name="heavy")`` and nothing else changes.  An unknown name fails only that
task (``UnknownBackendError``).  A compiled plan records each node's backend
and how the module builds each backend, so ``raf run`` starts both.

    python examples/21_mixed_backends.py
    raf compile examples/21_mixed_backends.py -o plan && raf run plan
"""

import os

from radical.asyncflow import DaskExecutionBackend, LocalExecutionBackend, WorkflowEngine

light = LocalExecutionBackend(name="light", max_workers=4)
heavy = DaskExecutionBackend({"n_workers": 2, "threads_per_worker": 1}, name="heavy")
flow = WorkflowEngine(backend=[light, heavy])


@flow.function_task
def prepare(n):
    return list(range(n))


@flow.function_task(backend="heavy")
def crunch(values, power):
    return os.getpid(), sum(v**power for v in values)


@flow.executable_task
def archive(result):
    return f"echo archived sum={result[1]}"


data = prepare(1000)
squares = crunch(data, 2)
cubes = crunch(data, 3)
quick = crunch(data, 1, backend="light")  # the call overrides the decorator
for name, future in [("squares", squares), ("cubes", cubes), ("quick", quick)]:
    pid, total = future.result()
    where = "this process" if pid == os.getpid() else "a Dask worker process"
    print(f"{name:8} sum={total:<14} ran in {where}")
print(archive(squares).result().strip())
flow.shutdown()
