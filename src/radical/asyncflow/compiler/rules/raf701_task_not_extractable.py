"""RAF701 task-not-extractable

What it does:
    Reports a task whose code cannot be copied into a plan directory (`raf compile -o DIR`):
    the task uses a name the plan cannot reproduce, such as a variable of the enclosing
    function, the workflow engine, or a module value that is itself computed by tasks.

Why:
    A plan is self-contained and running it never re-runs the module's workflow body, so
    each task's definition is extracted statically into `tasks.py` together with the
    imports, module constants and helpers it uses. A value that only exists while the
    workflow body runs cannot be extracted; the plan would fail at run time instead.

Example::

    async def main():
        flow = await WorkflowEngine.create()
        scale = 3

        @flow.function_task
        async def work(x):
            return x * scale      # `scale` lives in main(), not in the module

Use instead::

    SCALE = 3                     # a module constant (or pass it as an argument)

    async def main():
        flow = await WorkflowEngine.create()

        @flow.function_task
        async def work(x):
            return x * SCALE
"""

CODE = "RAF701"
NAME = "task-not-extractable"
SEVERITY = "error"
MESSAGE = "task '{task}' cannot be extracted into the plan: {detail}"
HINT = "use module-level constants, imports and helpers, or pass the value as an argument"
BLOCKER = False
