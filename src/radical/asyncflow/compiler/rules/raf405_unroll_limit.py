"""RAF405 unroll-limit

What it does:
    Reports a loop whose unrolling would exceed the node cap (default 100,000 nodes) or the
    evaluation budget.

Why:
    `range(10**12)` must be a finding, not a hang; the remainder becomes a dynamic region.

Example::

    for i in range(10**12):
        simulate(i)

Use instead::

    for i in range(1000):
        simulate(i)
"""

CODE = "RAF405"
NAME = "unroll-limit"
SEVERITY = "warning"
MESSAGE = 'unrolling stopped after {count} {what}; the rest of {region} forms a dynamic region'
HINT = 'reduce the loop bounds or raise --max-nodes'
BLOCKER = False
