"""Sync style, as in the original README: plain script, ``.result()`` to wait.

The values obtained from ``.result()`` are still dependencies: ``task2(t1)``
depends on ``task1`` because ``t1`` came from it.
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def task1(*args):
    return 40


@flow.executable_task
def task2(value):
    return f"echo $(( {value} + 1 ))"


@flow.function_task
def task3(output):
    return int(output) + 1


t1 = task1().result()
t2 = task2(t1)
t3 = task3(t2)
print(t3.result())
flow.shutdown()
