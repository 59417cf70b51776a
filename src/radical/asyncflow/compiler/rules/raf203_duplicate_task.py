"""RAF203 duplicate-task

What it does:
    Reports two task definitions with the same name in the same scope.

Why:
    The second silently replaces the first, so calls made after it run different code than
    the reader expects, and the two tasks share node names.

Example::

    @flow.function_task
    def step(x): ...
    @flow.function_task
    def step(x): ...

Use instead::

    @flow.function_task
    def step_a(x): ...
    @flow.function_task
    def step_b(x): ...
"""

CODE = "RAF203"
NAME = "duplicate-task"
SEVERITY = "warning"
MESSAGE = "task '{name}' is defined again; this definition replaces the one on line {first}"
HINT = 'give each task its own name'
BLOCKER = False
