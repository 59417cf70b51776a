from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def process(name):
    return name


for name in {"b", "a", "c"}:  # RAF602
    process(name)
for name in sorted({"b", "a", "c"}):
    process(name)
