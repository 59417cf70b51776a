from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def step(x):
    return x


def chain(x, n):
    return chain(step(x), n - 1)  # RAF406


chain(0, 5)
