"""RAF407 dynamic-code

What it does:
    Reports `eval`, `exec`, `compile`, `__import__`, `importlib.import_module` and similar
    in the workflow body.

Why:
    The compiler never runs code, so whatever they create is unknown. With --strict this is
    an error.

Example::

    exec(open('stages.py').read())

Use instead::

    from stages import prepare
"""

CODE = "RAF407"
NAME = "dynamic-code"
SEVERITY = "warning"
MESSAGE = '{what} runs code the compiler cannot see; the call forms a dynamic region'
HINT = 'import modules and define tasks statically'
BLOCKER = False
