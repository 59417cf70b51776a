from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task(task_description={"ranks": 0})
def solve(x):
    return x


@flow.function_task(retries=-1)
def flaky(x):  # RAF502
    return x


solve(1)  # RAF502
flaky(solve(2, task_description={"ranks": 4, "cores_per_rank": 1.5}))  # RAF502
