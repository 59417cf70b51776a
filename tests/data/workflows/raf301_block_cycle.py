from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def step(x):
    return x


@flow.block
async def ping(x):
    return await pong(x)  # RAF301


@flow.block
async def pong(x):
    return await ping(x)


ping(step(1))
