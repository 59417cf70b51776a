from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def analyse(x):
    return x


@flow.block
async def stage(x):
    return analyse(x).result()  # RAF305


stage(1)
