from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

PILOT = {"resource": "tacc.frontera", "nodes": 1, "project": "ABC123"}
flow = WorkflowEngine(backend=RadicalExecutionBackend(PILOT))  # RAF509


@flow.executable_task(task_description={"ranks": 2, "cores_per_rank": 14})
def simulate(seed):
    return f"echo {seed}"


@flow.function_task
def analyse(*outputs):
    return len(outputs)


analyse(*[simulate(s) for s in range(4)])
