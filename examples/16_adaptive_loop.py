"""An adaptive loop: refine until the error is small enough.

How many refinement rounds run depends on results, so the ``while`` loop is a
*dynamic region*: ``raf check`` reports RAF402 (a warning, not an error) and
``raf compile`` shows one ``dynamic`` node standing for the loop; the runtime
expands it when it runs.  The initial sampling, before the loop, is static.
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

TOLERANCE = 0.05
INITIAL_SAMPLES = 4

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.function_task
def sample(i):
    return 1.0 / (i + 1)


@flow.function_task
def estimate_error(*samples):
    return min(samples)


@flow.function_task
def refine(error):
    return error / 2


samples = [sample(i) for i in range(INITIAL_SAMPLES)]
error = estimate_error(*samples).result()
rounds = 0
while error > TOLERANCE:
    error = refine(error).result()
    rounds += 1
print(f"converged after {rounds} refinement rounds, error {error:.3f}")
flow.shutdown()
