"""Async style: ``await WorkflowEngine.create(...)`` and ``asyncio.gather``.

Three independent pipelines run concurrently; each is prepare -> transform ->
publish, and ``gather`` waits for all of them.
"""

import asyncio

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

PIPELINES = 3


async def main():
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())

    @flow.function_task
    async def prepare(i):
        return list(range(i + 2))

    @flow.function_task
    async def transform(values):
        return [v * v for v in values]

    @flow.executable_task
    async def publish(i, values):
        return f"echo pipeline {i}: {sum(values)}"

    async def pipeline(i):
        values = await transform(prepare(i))
        return await publish(i, values)

    outputs = await asyncio.gather(*[pipeline(i) for i in range(PIPELINES)])
    for line in outputs:
        print(line.strip())
    await flow.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
