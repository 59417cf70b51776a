import sys

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def prepare(x):
    return x


@flow.function_task
def simulate(x):
    return x


stages = {"prepare": prepare, "simulate": simulate}
stages["simulate"](1)
stages[sys.argv[1]](1)  # RAF404
getattr(sys.modules[__name__], sys.argv[2])(1)  # RAF404
