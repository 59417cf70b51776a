"""RAF506 gpus-exceed-node

What it does:
    Reports a task that needs more GPUs on one node than a node of the target
    machine has: ``gpus_per_rank`` above ``gpus_per_node`` (also on a machine
    without GPUs), or a non-MPI task whose ``ranks * gpus_per_rank`` GPUs
    must share one node.

Why:
    RP can never schedule it ("task can never be scheduled"), and only says
    so once the pilot is active.

Example::

    # nersc.perlmutter_gpu: 4 GPUs per node
    @flow.executable_task(task_description={'ranks': 1, 'gpus_per_rank': 8})

Use instead::

    @flow.executable_task(task_description={'ranks': 2, 'gpus_per_rank': 4})
"""

CODE = "RAF506"
NAME = "gpus-exceed-node"
SEVERITY = "error"
MESSAGE = "'{name}' needs {need} GPUs on one node but a node of {label} has {gpn}"
HINT = "spread the GPUs over MPI ranks (at most gpus_per_node each), or target a GPU partition"
BLOCKER = False
