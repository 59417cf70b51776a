from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

backend = RadicalExecutionBackend({"resource": "tacc.fronterra", "nodes": 2})  # RAF503
flow = WorkflowEngine(backend=backend)


@flow.executable_task(task_description={"ranks": 4, "cores_per_rank": 14})
def simulate(seed):
    return f"echo {seed}"


simulate(1)
