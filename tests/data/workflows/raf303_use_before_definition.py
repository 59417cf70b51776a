from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())

t = prepare()  # RAF303


@flow.function_task
def prepare():
    return 1
