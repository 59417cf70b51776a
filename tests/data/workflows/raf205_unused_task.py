from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def used():
    return 1


@flow.function_task
def cleanup():  # RAF205
    return 0


used()
flow.shutdown()
