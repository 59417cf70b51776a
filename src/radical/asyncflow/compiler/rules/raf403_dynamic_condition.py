"""RAF403 dynamic-condition

What it does:
    Reports an `if`, conditional expression, `match`, `break` or `continue` whose decision
    depends on a task result or other run-time value.

Why:
    Which branch runs (and so which tasks exist) is only known when the workflow runs. With
    --strict this is an error.

Example::

    if await converged(state):
        report(state)

Use instead::

    report(state)  # unconditionally, or decide inside a task
"""

CODE = "RAF403"
NAME = "dynamic-condition"
SEVERITY = "warning"
MESSAGE = (
    'the condition {what} depends on run-time data ({reason}); its branches form a '
    'dynamic region'
)
HINT = 'branch on module constants, or accept the dynamic region (the runtime decides the branch)'
BLOCKER = False
