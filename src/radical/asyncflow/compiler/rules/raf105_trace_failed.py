"""RAF105 trace-failed

What it does:
    Reported by `raf compile --trace` when the traced module stopped with an exception
    (including using a task result where a real value is needed, e.g. `if t.result():`).

Why:
    The trace executes the module on a recording dry run; results are placeholders. A
    module that needs real values to decide what to create cannot be traced completely:
    the graph shown is what was recorded up to that point.

Example::

    if check().result():
        report()

Use instead::

    raf compile wf.py   # the static compiler marks the `if` as a dynamic region
"""

CODE = "RAF105"
NAME = "trace-failed"
SEVERITY = "error"
MESSAGE = "the traced module stopped: {detail}"
HINT = "use the static compiler (without --trace); it marks run-time decisions as dynamic regions"
BLOCKER = False
