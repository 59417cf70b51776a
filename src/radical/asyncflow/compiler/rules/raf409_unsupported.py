"""RAF409 unsupported

What it does:
    Reports a construct in the workflow body the compiler does not model: `yield`, a class
    body that creates tasks, `global` rebinding across helpers, and similar.

Why:
    The compiler says so instead of guessing. With --strict this is an error.

Example::

    class Campaign:
        members = [simulate(i) for i in range(4)]

Use instead::

    members = [simulate(i) for i in range(4)]
"""

CODE = "RAF409"
NAME = "unsupported"
SEVERITY = "warning"
MESSAGE = '{what} is not modelled by the compiler; it forms a dynamic region'
HINT = 'write the workflow body with plain calls, loops and conditions'
BLOCKER = False
