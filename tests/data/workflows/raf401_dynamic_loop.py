import sys

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def count():
    return 3


@flow.function_task
def simulate(i):
    return i


@flow.function_task
def summarize(results):
    return results


n = count().result()
results = []
for i in range(n):  # RAF401
    results.append(simulate(i))
summarize(results)
members = [simulate(a) for a in sys.argv[1:]]  # RAF401
