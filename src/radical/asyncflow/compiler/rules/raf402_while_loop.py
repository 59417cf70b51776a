"""RAF402 while-loop

What it does:
    Reports a `while` loop in the workflow body.

Why:
    Its number of iterations depends on run-time values, so the compiler records it as a
    dynamic node for the runtime to expand. With --strict this is an error.

Example::

    while not converged:
        converged = check(step()).result()

Use instead::

    for i in range(MAX_ITERATIONS):
        state = step(state)
"""

CODE = "RAF402"
NAME = "while-loop"
SEVERITY = "warning"
MESSAGE = (
    'the while loop runs a number of times known only at run time; its tasks form a '
    'dynamic region'
)
HINT = 'use a `for` loop over a constant bound when the number of iterations is known in advance'
BLOCKER = False
