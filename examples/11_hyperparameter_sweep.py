"""ML hyper-parameter sweep (async style): train a grid of models, keep the best.

Every (learning rate, batch size) pair trains one model; an evaluation task
scores each; a selection task picks the best.  The grid is a module constant,
so ``raf compile`` unrolls it into 6 training nodes.
"""

import asyncio
import itertools

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

LEARNING_RATES = [0.1, 0.01, 0.001]
BATCH_SIZES = [32, 64]


async def main():
    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())

    @flow.function_task
    async def load_data(name):
        return {"name": name, "size": 1000}

    @flow.function_task(task_description={"gpus_per_rank": 1})
    async def train(data, lr, batch_size):
        return {"lr": lr, "batch_size": batch_size, "loss": abs(lr - 0.01) + batch_size / 1000}

    @flow.function_task
    async def evaluate(model):
        return model["loss"]

    @flow.function_task
    async def select(models, losses):
        return min(zip(losses, [m["lr"] for m in models], [m["batch_size"] for m in models]))

    data = load_data("cifar-mini")
    models = [train(data, lr, bs) for lr, bs in itertools.product(LEARNING_RATES, BATCH_SIZES)]
    losses = [evaluate(m) for m in models]
    best = await select(models, losses)
    print("best (loss, lr, batch):", best)
    await flow.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
