"""Ensemble simulation + analysis, as run on an HPC machine (sync style).

Each ensemble member runs a (mock) MPI simulation with its own seed; an
analysis step reads all members, and a report summarises the analysis.  On a
cluster, swap the backend for ``RadicalExecutionBackend({...})``; the
``task_description`` carries the MPI layout either way.

    python examples/10_ensemble_analysis.py
    raf show examples/10_ensemble_analysis.py
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

N_MEMBERS = 4
STEPS = 100
SEEDS = [11, 23, 37, 41]

backend = LocalExecutionBackend()
flow = WorkflowEngine(backend=backend)


@flow.executable_task(task_description={"ranks": 4, "cores_per_rank": 2})
def simulate(member, seed, steps=STEPS):
    return f"echo member={member} seed={seed} steps={steps} energy=$(( {seed} * 7 % 13 ))"


@flow.function_task(task_description={"ranks": 1})
def analyse(*outputs):
    energies = [int(line.split("energy=")[1]) for line in outputs]
    return sum(energies) / len(energies)


@flow.function_task
def report(mean_energy, members):
    return f"{members} members, mean energy {mean_energy:.2f}"


members = [simulate(i, SEEDS[i]) for i in range(N_MEMBERS)]
summary = report(analyse(*members), N_MEMBERS)

if __name__ == "__main__":
    print(summary.result())
flow.shutdown()
