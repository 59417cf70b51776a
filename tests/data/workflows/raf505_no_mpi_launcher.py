from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

# debug.radical launches with FORK only
flow = WorkflowEngine(backend=RadicalExecutionBackend({"resource": "debug.radical"}))


@flow.executable_task(task_description={"ranks": 4})
def simulate(seed):
    return f"echo {seed}"


simulate(1)  # RAF505
simulate(2, task_description={"ranks": 1, "cores_per_rank": 4})
simulate(3, task_description={"ranks": 2, "use_mpi": False})
