import random
import time
import uuid

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def simulate(seed, tag=None):
    return seed


simulate(random.randint(0, 2**31))  # RAF601
simulate(1, tag=f"run-{time.time()}")  # RAF601
simulate(2, tag=str(uuid.uuid4()))  # RAF601
simulate(3)
