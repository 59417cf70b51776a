"""RAF507 memory-exceeds-node

What it does:
    Reports a task whose ``mem_per_rank`` (MB; for a non-MPI task, all its
    ranks together) exceeds the memory of one node, when the target says how
    much a node has (``mem_per_node`` in RP's configuration or the machine file).

Why:
    RP cannot place the task; it waits or fails on the pilot, not before.

Example::

    # local.localhost: mem_per_node 4096 MB
    @flow.function_task(task_description={'mem_per_rank': 8192})

Use instead::

    @flow.function_task(task_description={'mem_per_rank': 2048})
"""

CODE = "RAF507"
NAME = "memory-exceeds-node"
SEVERITY = "error"
MESSAGE = "'{name}' needs {need} MB on one node but a node of {label} has {mpn} MB"
HINT = "lower mem_per_rank or spread the task over MPI ranks"
BLOCKER = False
