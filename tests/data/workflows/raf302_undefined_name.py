from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def prepare():
    return 1


data = prepare()
result = analyse(data)  # RAF302
