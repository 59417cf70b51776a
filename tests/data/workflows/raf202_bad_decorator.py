from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task(retry=3)  # RAF202
def fit(x):
    return x


@flow.function_task("fast")  # RAF202
def score(x):
    return x


@flow.function_task(retries="3")
def report(x):  # RAF202
    return x


report(score(fit(1)))
