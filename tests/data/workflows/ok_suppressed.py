import sys

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def simulate(i):
    return i


for i in range(int(sys.argv[1])):  # raf: ignore[RAF401]
    simulate(i)
