"""RAF205 unused-task

What it does:
    Reports a task definition that the workflow never calls.

Why:
    It creates no node, which is usually a forgotten call or dead code.

Example::

    @flow.function_task
    def cleanup(): ...
    # never called

Use instead::

    cleanup()
"""

CODE = "RAF205"
NAME = "unused-task"
SEVERITY = "info"
MESSAGE = "task '{name}' is defined but never called"
HINT = 'call it, or remove it; a task that is never called creates no node'
BLOCKER = False
