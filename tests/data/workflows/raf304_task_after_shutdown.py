from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def step(x):
    return x


t = step(1)
flow.shutdown()
step(t)  # RAF304
