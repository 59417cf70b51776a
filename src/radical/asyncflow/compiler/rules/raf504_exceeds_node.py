"""RAF504 task-exceeds-node

What it does:
    Reports a task that needs more cores on one node than a node of the target
    machine has: one rank wider than a node (``cores_per_rank``), or a
    non-MPI task (``ranks == 1`` or ``use_mpi: False``) whose
    ``ranks * cores_per_rank`` cores do not fit on one node.

Why:
    Radical.Pilot's agent fails such a task only once the pilot runs
    ("non-mpi task does not fit on a single node"), after the queue wait.

Example::

    # tacc.frontera: 56 cores per node
    @flow.executable_task(task_description={'ranks': 1, 'cores_per_rank': 64})

Use instead::

    @flow.executable_task(task_description={'ranks': 4, 'cores_per_rank': 16})
"""

CODE = "RAF504"
NAME = "task-exceeds-node"
SEVERITY = "error"
MESSAGE = "'{name}' cannot fit one node of {label} ({cpn} cores): {need}"
HINT = "split the task into MPI ranks (ranks > 1) of at most a node's cores each"
BLOCKER = False
