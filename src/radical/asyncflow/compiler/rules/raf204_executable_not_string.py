"""RAF204 executable-not-string

What it does:
    Reports an `@flow.executable_task` whose body returns something that is not a string (a
    number, None, nothing at all).

Why:
    The engine runs the returned string as a shell command; anything else fails at run time.

Example::

    @flow.executable_task
    def count(path):
        print("wc", path)

Use instead::

    @flow.executable_task
    def count(path):
        return f"wc -l {path}"
"""

CODE = "RAF204"
NAME = "executable-not-string"
SEVERITY = "error"
MESSAGE = "executable task '{name}' {detail}"
HINT = "an executable task's body must return the shell command as a string"
BLOCKER = False
