"""RAF501 dynamic-resources

What it does:
    Reports a `task_description=` (decorator or call) whose value is only known at run time.

Why:
    Resources size the pilot or the batch job; the plan needs them ahead of time.

Example::

    @flow.function_task(task_description={'ranks': ranks_from_env()})

Use instead::

    @flow.function_task(task_description={'ranks': 4})
"""

CODE = "RAF501"
NAME = "dynamic-resources"
SEVERITY = "warning"
MESSAGE = "task_description of '{name}' is not a constant ({reason})"
HINT = 'write task_description as a dict literal of constants'
BLOCKER = False
