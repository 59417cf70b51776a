"""RAF101 syntax-error

What it does:
    Reports a module that Python cannot parse (missing colon, unclosed bracket, bad
    indentation).

Why:
    The compiler cannot see a workflow in code Python would refuse to run; it stops here and
    reports the first syntax error at its exact line and column.

Example::

    @flow.function_task
    def prepare()
        return 1

Use instead::

    @flow.function_task
    def prepare():
        return 1
"""

CODE = "RAF101"
NAME = "syntax-error"
SEVERITY = "error"
MESSAGE = 'syntax error: {detail}'
HINT = 'fix the syntax; nothing else is checked until the module parses'
BLOCKER = True
