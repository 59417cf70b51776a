"""RAF302 undefined-name

What it does:
    Reports a name the workflow uses that is defined nowhere in the module and is not a
    builtin.

Why:
    The workflow would stop with NameError at that line.

Example::

    result = analyse(data)  # no analyse anywhere

Use instead::

    @flow.function_task
    def analyse(d): ...
    result = analyse(data)
"""

CODE = "RAF302"
NAME = "undefined-name"
SEVERITY = "error"
MESSAGE = "name '{name}' is not defined"
HINT = 'define or import it before the workflow uses it'
BLOCKER = False
