"""The seed workflow on local threads: an executable, then a function of its output.

Run: python examples/02_seed_local.py
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


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
