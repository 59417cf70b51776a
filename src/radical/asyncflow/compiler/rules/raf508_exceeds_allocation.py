"""RAF508 task-exceeds-allocation

What it does:
    Reports a task that needs more cores or GPUs in all (``ranks *
    cores_per_rank``, ``ranks * gpus_per_rank``) than the pilot the module
    describes (``nodes``/``cores``/``gpus``, rounded up to whole nodes as RP
    does) or than the machine file's ``nodes`` provide.

Why:
    The task can never start on that pilot; RP reports it only after the
    pilot became active.

Example::

    RadicalExecutionBackend({'resource': 'tacc.frontera', 'nodes': 1})

    @flow.executable_task(task_description={'ranks': 112})

Use instead::

    RadicalExecutionBackend({'resource': 'tacc.frontera', 'nodes': 2})
"""

CODE = "RAF508"
NAME = "task-exceeds-allocation"
SEVERITY = "error"
MESSAGE = "'{name}' can never start: it needs {detail} ({nodes} node(s) of {label})"
HINT = "ask for more nodes in the PilotDescription, or make the task smaller"
BLOCKER = False
