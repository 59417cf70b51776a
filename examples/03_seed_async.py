"""The seed workflow in async style: futures are awaited, not blocked on.

Run: python examples/03_seed_async.py
"""

import asyncio

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine


async def main():
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())

    @flow.executable_task
    async def task1():
        return "echo $RANDOM"

    @flow.function_task
    async def task2(t1_result):
        return t1_result * 2 * 2

    t2_result = await task2(task1())
    await flow.shutdown()
    print(t2_result)


if __name__ == "__main__":
    asyncio.run(main())
