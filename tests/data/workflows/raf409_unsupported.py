from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def simulate(i):
    return i


def members(n):
    for i in range(n):
        yield simulate(i)


ensemble = list(members(3))  # RAF409
