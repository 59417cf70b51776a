from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

# one Frontera node: 56 cores
flow = WorkflowEngine(backend=RadicalExecutionBackend({"resource": "tacc.frontera", "cores": 40}))  # RAF509


@flow.executable_task(task_description={"ranks": 112})
def simulate(seed):
    return f"echo {seed}"


simulate(1)  # RAF508
simulate(2, task_description={"ranks": 56})
