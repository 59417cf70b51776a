"""RAF202 bad-decorator

What it does:
    Reports task decorators called with positional arguments, unknown keywords, or option
    values of the wrong type.

Why:
    The engine rejects these when the module runs; the compiler reports them before anything
    is submitted.

Example::

    @flow.function_task(retry=3, timeout="10")
    def fit(x): ...

Use instead::

    @flow.function_task(retries=3, timeout=10)
    def fit(x): ...
"""

CODE = "RAF202"
NAME = "bad-decorator"
SEVERITY = "error"
MESSAGE = 'bad arguments to @{decorator}: {detail}'
HINT = (
    'the task decorators take only the keywords task_description=, retries=, '
    'timeout=, backend= and service='
)
BLOCKER = False
