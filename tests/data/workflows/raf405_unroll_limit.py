# raf-test: max-nodes=50
from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def simulate(i):
    return i


for i in range(10**12):  # RAF405
    simulate(i)
