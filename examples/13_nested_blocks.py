"""Nested blocks: a campaign block runs one stage block per temperature.

A block is a workflow of workflows: its body creates tasks (and other blocks)
when it runs.  The compiler shows each task inside its block
(``campaign@NN/stage@MM[k]/equilibrate@LL``).
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

TEMPERATURES = [280, 300, 320]

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def build_system(name):
    return f"{name}.pdb"


@flow.function_task
def equilibrate(system, temperature):
    return f"{system}@{temperature}K"


@flow.executable_task
def production(state):
    return f"echo production {state}"


@flow.block
async def stage(system, temperature):
    state = await equilibrate(system, temperature)
    return await production(state)


@flow.block
async def campaign(name):
    system = build_system(name)
    return [await stage(system, t) for t in TEMPERATURES]


@flow.function_task
def summarize(results):
    return len(results)


print("stages run:", summarize(campaign("lysozyme")).result())
flow.shutdown()
