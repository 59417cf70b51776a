from radical.asyncflow import WorkflowEngine
from radical.asyncflow import RadicalExecutionBackend

radical_backend = RadicalExecutionBackend({'resource': 'local.localhost'})
flow = WorkflowEngine(backend=radical_backend)

@flow.executable_task
def task1():
    return "echo $RANDOM"

@flow.function_task
def task2(t1_result):
    return t1_result * 2 * 2

t1_result = task1().result()
t2_future = task2(t1_result)
t2_result = t2_future.result()
flow.shutdown()
print(t2_result)
