"""RAF303 use-before-definition

What it does:
    Reports a task, helper or variable used before the statement that defines it has run.

Why:
    The module is executed top to bottom: at that point the name does not exist yet and the
    run fails with NameError.

Example::

    t = prepare()
    @flow.function_task
    def prepare(): ...

Use instead::

    @flow.function_task
    def prepare(): ...
    t = prepare()
"""

CODE = "RAF303"
NAME = "use-before-definition"
SEVERITY = "error"
MESSAGE = "'{name}' is used before its definition on line {defined}"
HINT = 'move the definition above its first use'
BLOCKER = False
