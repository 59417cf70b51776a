"""Fixture: none of these may produce a diagnostic."""

import asyncio
import itertools

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())
N = 4
LRS = [0.1, 0.01]


@flow.function_task
def step(x, *rest, **options):
    return x


@flow.executable_task
def echo(x):
    return f"echo {x}"


@flow.block
def stage(x, depth):
    if depth > 0:
        return stage(step(x), depth - 1)
    return step(x)


x = step(0)
for i in range(N):
    x = step(x)  # rebinding is not a cycle
acc = []
for lr, bs in itertools.product(LRS, [16, 32]):
    acc.append(step(lr, bs))
step(*acc)
if __name__ == "__main__":
    stage(x, 2)
ok = step(1).result()
if ok is None:
    raise SystemExit("no result")
label = "big" if N > 2 else "small"
echo(label)
flow.shutdown()
asyncio.sleep(0)
