"""Fan-out / fan-in: split a dataset, process the chunks in parallel, reduce.

The chunks are processed by executables (``wc``-like counting with ``echo``),
then a tree reduction combines them pairwise, then a final task reports.
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

CHUNKS = 8

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def split(n):
    return [f"chunk-{i:02d}" for i in range(n)]


@flow.executable_task
def count_words(chunks, i):
    return f"echo {len(chunks[i]) * (i + 1)}"


@flow.function_task
def combine(a, b):
    return int(a) + int(b)


@flow.function_task
def report(total):
    return f"total words: {total}"


parts = split(CHUNKS)
level = [count_words(parts, i) for i in range(CHUNKS)]
for _ in range(3):
    level = [combine(level[j], level[j + 1]) for j in range(0, len(level), 2)]
print(report(level[0]).result())
flow.shutdown()
