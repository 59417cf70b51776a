from radical.asyncflow import RadicalExecutionBackend, WorkflowEngine

# nersc.perlmutter_gpu: 64 cores and 4 GPUs per node
flow = WorkflowEngine(backend=RadicalExecutionBackend({"resource": "nersc.perlmutter_gpu"}))


@flow.executable_task(task_description={"ranks": 1, "gpus_per_rank": 8})
def train(seed):
    return f"echo {seed}"


@flow.executable_task(task_description={"ranks": 2, "gpus_per_rank": 4})
def train_mpi(seed):
    return f"echo {seed}"


train(1)  # RAF506
train_mpi(2)
train_mpi(3, task_description={"use_mpi": False})  # RAF506
