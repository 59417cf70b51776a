from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def step(state):
    return state + 1


state = step(0)
while state.result() < 10:  # RAF402
    state = step(state)
