"""RAF201 no-workflow

What it does:
    Reports a module in which the compiler finds neither a WorkflowEngine nor a decorated
    task.

Why:
    It usually means the wrong file was given, or that the engine is created somewhere the
    compiler cannot see.

Example::

    def prepare():
        return 1

Use instead::

    flow = WorkflowEngine(backend=LocalExecutionBackend())

    @flow.function_task
    def prepare():
        return 1
"""

CODE = "RAF201"
NAME = "no-workflow"
SEVERITY = "warning"
MESSAGE = 'no workflow found: the module creates no WorkflowEngine and defines no task'
HINT = (
    'create an engine (`flow = WorkflowEngine(...)`) and decorate tasks with '
    '`@flow.function_task`'
)
BLOCKER = False
