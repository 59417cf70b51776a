"""RAF408 opaque-call

What it does:
    Reports a call into code the compiler does not analyse (an imported function, a method
    of an unknown object, a helper from another user module) that receives the engine or a
    task, or that comes from a module defining tasks.

Why:
    That code may create tasks the compiler cannot see. With --strict this is an error.

Example::

    from stages import run_all
    run_all(flow, data)

Use instead::

    for stage in (prepare, simulate):
        data = stage(data)
"""

CODE = "RAF408"
NAME = "opaque-call"
SEVERITY = "warning"
MESSAGE = (
    "{what} is passed to '{callee}', which the compiler cannot analyse; the call "
    'forms a dynamic region'
)
HINT = 'call tasks in this module, or pass plain data to imported helpers'
BLOCKER = False
