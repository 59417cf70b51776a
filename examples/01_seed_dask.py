"""The seed workflow on Dask: a LocalCluster on loopback, started and closed for you.

Run: python examples/01_seed_dask.py

Like the seed, this is a plain script without a ``__main__`` guard: the
backend hosts its LocalCluster in a helper process, so Dask's worker
processes never re-import this file.
"""

from radical.asyncflow import DaskExecutionBackend, WorkflowEngine

dask_backend = DaskExecutionBackend()
flow = WorkflowEngine(backend=dask_backend)


@flow.executable_task
def task1():
    return "echo $RANDOM"


@flow.function_task
def task2(t1_result):
    return t1_result * 2 * 2


t1_result = task1().result()
t2_future = task2(t1_result)
t2_result = t2_future.result()
flow.shutdown()
print(t2_result)
