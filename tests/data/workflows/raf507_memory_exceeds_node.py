from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

# local.localhost: mem_per_node 4096 (MB)
flow = WorkflowEngine(backend=RadicalExecutionBackend({"resource": "local.localhost"}))


@flow.function_task(task_description={"mem_per_rank": 8192})
def load(x):
    return x


@flow.function_task(task_description={"mem_per_rank": 2048})
def small(x):
    return x


load(1)  # RAF507
small(2)
small(3, task_description={"ranks": 2, "mem_per_rank": 3000, "use_mpi": False})  # RAF507
