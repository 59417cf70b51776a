import os

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task(task_description={"ranks": int(os.environ["RANKS"])})
def solve(x):
    return x


solve(1)  # RAF501
solve(2, task_description=os.environ)  # RAF501
