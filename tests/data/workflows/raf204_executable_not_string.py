from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.executable_task
def count(path):  # RAF204
    return 42


count("data.txt")
