from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def step(x):
    return x


@flow.function_task
def step(x):  # RAF203
    return x + 1


step(1)
