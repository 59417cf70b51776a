"""RAF406 recursion-limit

What it does:
    Reports a helper function that calls itself (directly or indirectly) more deeply than
    the inlining limit.

Why:
    Helpers are inlined; unbounded recursion must be a diagnostic, not a hang.

Example::

    def chain(x, n):
        return chain(step(x), n - 1) if n else x

Use instead::

    for i in range(N):
        x = step(x)
"""

CODE = "RAF406"
NAME = "recursion-limit"
SEVERITY = "warning"
MESSAGE = "helper '{name}' recurses deeper than {limit} calls; the call forms a dynamic region"
HINT = 'unroll the recursion into a loop over constants'
BLOCKER = False
