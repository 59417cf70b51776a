from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

# tacc.frontera: 56 cores per node, MPIRUN
flow = WorkflowEngine(backend=RadicalExecutionBackend({"resource": "tacc.frontera"}))


@flow.executable_task(task_description={"ranks": 2, "cores_per_rank": 64})
def wide_rank(seed):
    return f"echo {seed}"


@flow.executable_task(task_description={"ranks": 2, "cores_per_rank": 40, "use_mpi": False})
def threads(seed):
    return f"echo {seed}"


@flow.function_task(task_description={"ranks": 4, "cores_per_rank": 56})
def mpi_ok(x):
    return x


@flow.function_task(task_description={"cores_per_rank": 56})
def one_node_ok(x):
    return x


wide_rank(1)  # RAF504
threads(2)  # RAF504
mpi_ok(3)
one_node_ok(4)
wide_rank(5, task_description={"cores_per_rank": 28})
