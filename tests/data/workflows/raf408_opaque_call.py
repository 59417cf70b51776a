from orchestration import run_all

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def prepare(x):
    return x


run_all(flow, prepare(1))  # RAF408
