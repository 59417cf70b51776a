"""RAF206 bad-call

What it does:
    Reports a call of a task or block whose arguments do not bind to its parameters
    (missing, extra, or repeated arguments).

Why:
    The call fails with TypeError when the workflow runs, possibly hours into a campaign.

Example::

    @flow.function_task
    def fit(data, lr): ...
    fit(data)

Use instead::

    fit(data, lr=0.1)
"""

CODE = "RAF206"
NAME = "bad-call"
SEVERITY = "error"
MESSAGE = "call of {kind} '{name}' does not match its signature: {detail}"
HINT = "pass the arguments the task's `def` line declares"
BLOCKER = False
