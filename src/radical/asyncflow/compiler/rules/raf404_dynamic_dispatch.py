"""RAF404 dynamic-dispatch

What it does:
    Reports a call whose target is picked at run time: `getattr(module, name)()`,
    `tasks[key]()` with a computed key, a callable returned by a task.

Why:
    The compiler cannot tell which task (if any) is created. With --strict this is an error.

Example::

    getattr(sys.modules[__name__], stage_name)(x)

Use instead::

    {'prepare': prepare, 'simulate': simulate}['simulate'](x)  # constant key, or call simulate(x)
"""

CODE = "RAF404"
NAME = "dynamic-dispatch"
SEVERITY = "warning"
MESSAGE = 'the callable is chosen at run time ({reason}); the call forms a dynamic region'
HINT = 'call the task by its name'
BLOCKER = False
