import asyncio

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine



async def main():
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())

    @flow.function_task
    async def converged(x):
        return x > 1

    @flow.function_task
    async def report(x):
        return x

    if await converged(1):  # RAF403
        await report(1)
    value = report(2) if await converged(2) else None  # RAF403
    await flow.shutdown()


asyncio.run(main())
