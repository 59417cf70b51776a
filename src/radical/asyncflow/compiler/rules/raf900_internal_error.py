"""RAF900 internal-error

What it does:
    Reports an unexpected exception inside the compiler itself.

Why:
    A compiler bug must never look like a problem in the user's workflow, and never print a
    bare traceback; `raf` exits with code 3.

Example::

    (any module that makes the compiler fail)

Use instead::

    (please report it)
"""

CODE = "RAF900"
NAME = "internal-error"
SEVERITY = "error"
MESSAGE = 'internal compiler error: {detail}'
HINT = (
    'this is a bug in radical.asyncflow, please report it with the module that '
    'triggers it (run with --debug for a traceback)'
)
BLOCKER = True
