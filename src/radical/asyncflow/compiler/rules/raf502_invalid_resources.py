"""RAF502 invalid-resources

What it does:
    Reports resource values no backend can honour: zero or negative ranks or cores,
    fractional counts, negative retries, a non-positive timeout.

Why:
    Radical.Pilot and Slurm reject such tasks only after the pilot or job has started.

Example::

    @flow.function_task(task_description={'ranks': 0, 'cores_per_rank': 1.5})

Use instead::

    @flow.function_task(task_description={'ranks': 4, 'cores_per_rank': 2})
"""

CODE = "RAF502"
NAME = "invalid-resources"
SEVERITY = "error"
MESSAGE = "invalid resource '{key}' for '{name}': {detail}"
HINT = (
    'counts (ranks, cores_per_rank, gpus_per_rank, retries) are non-negative integers '
    'and at least 1 where they size a task; timeouts are positive numbers'
)
BLOCKER = False
