"""RAF103 too-large

What it does:
    Reports input beyond the analyser's limits: a file over the size cap, more nesting than
    CPython's parser accepts, or an expression so deep that analysing it would exhaust the
    stack or memory.

Why:
    Such input could crash or stall the parser (libcst segfaults on deeply nested
    expressions); the compiler refuses it quickly instead.

Example::

    x = ((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))  # thousands deep

Use instead::

    x = 1
"""

CODE = "RAF103"
NAME = "too-large"
SEVERITY = "error"
MESSAGE = 'the module is too large or too deeply nested to analyse: {detail}'
HINT = 'split the module, flatten deeply nested expressions, or raise the limit with --max-bytes'
BLOCKER = True
