from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def fit(data, lr):
    return data


fit([1, 2])  # RAF206
fit([1, 2], lr=0.1, momentum=0.9)  # RAF206
fit([1, 2], 0.1)
