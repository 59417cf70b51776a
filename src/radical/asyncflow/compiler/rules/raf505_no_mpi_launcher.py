"""RAF505 no-mpi-launcher

What it does:
    Reports a multi-rank (MPI) task, ``ranks > 1``, on a target resource whose
    Radical.Pilot configuration has no MPI launch method (only ``FORK``,
    ``SSH``...), or a machine file with ``"mpi": false``.

Why:
    Without ``MPIRUN``, ``MPIEXEC``, ``SRUN``... RP cannot start the ranks; the
    task fails on the pilot.

Example::

    @flow.executable_task(task_description={'ranks': 8})  # on a FORK-only resource

Use instead::

    @flow.executable_task(task_description={'ranks': 1, 'cores_per_rank': 8})
"""

CODE = "RAF505"
NAME = "no-mpi-launcher"
SEVERITY = "error"
MESSAGE = "'{name}' has {ranks} ranks but {label} has no MPI launch method"
HINT = "use one rank with several cores (cores_per_rank), or target a resource with MPI"
BLOCKER = False
