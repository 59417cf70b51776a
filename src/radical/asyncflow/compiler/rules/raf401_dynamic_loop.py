"""RAF401 dynamic-loop

What it does:
    Reports a `for` loop or comprehension whose iterable is only known when the workflow
    runs: a task result, `sys.argv`, a file read, an imported function's value.

Why:
    The compiler cannot know how many tasks the loop creates; it records the loop as a
    dynamic node and the runtime builds it. With --strict this is an error.

Example::

    n = int(count().result())
    for i in range(n):
        simulate(i)

Use instead::

    N_MEMBERS = 8
    for i in range(N_MEMBERS):
        simulate(i)
"""

CODE = "RAF401"
NAME = "dynamic-loop"
SEVERITY = "warning"
MESSAGE = 'the loop {what} depends on run-time data ({reason}); its tasks form a dynamic region'
HINT = (
    'iterate over constants (a literal list, range(N) with a module constant) so the '
    'compiler can unroll the loop, or accept the dynamic region (the runtime expands '
    'it)'
)
BLOCKER = False
