"""RAF304 task-after-shutdown

What it does:
    Reports a task or block called after `flow.shutdown()` (or after the engine's `with`
    block ended).

Why:
    A shut-down engine refuses new tasks with EngineClosedError.

Example::

    flow.shutdown()
    report(t)

Use instead::

    report(t)
    flow.shutdown()
"""

CODE = "RAF304"
NAME = "task-after-shutdown"
SEVERITY = "error"
MESSAGE = "task '{name}' is called after the engine was shut down (line {line})"
HINT = 'call shutdown() last, after every task of the workflow has been called'
BLOCKER = False
