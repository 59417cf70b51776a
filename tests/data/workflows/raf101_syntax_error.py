from radical.asyncflow import WorkflowEngine

flow = WorkflowEngine()


@flow.function_task
def prepare()  # RAF101
    return 1
