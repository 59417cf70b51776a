"""RAF207 unknown-engine

What it does:
    Reports a task decorator on an object that the compiler cannot trace back to a
    WorkflowEngine created in the module (for example one returned by an imported helper).

Why:
    The compiler still treats the function as a task, but it cannot know the engine's state
    (shutdown) or backends.

Example::

    flow = make_engine()
    @flow.function_task
    def fit(x): ...

Use instead::

    flow = WorkflowEngine(backend=LocalExecutionBackend())
"""

CODE = "RAF207"
NAME = "unknown-engine"
SEVERITY = "warning"
MESSAGE = (
    "@{decorator} is applied to '{engine}', which the compiler cannot identify as a "
    'WorkflowEngine'
)
HINT = (
    'create the engine in this module with `WorkflowEngine(...)` or `await '
    'WorkflowEngine.create(...)`'
)
BLOCKER = False
