"""An HPC ensemble: MPI simulations with GPUs, a reduction, a report.

Written for a big site (``RadicalExecutionBackend`` on TACC Frontera, 56
cores per node), yet it runs here as it is: ``RAF_BACKEND`` picks the backend
at run time, and the default is ``local``.  The compiler reads the pilot
literal without running anything, checks every task against Frontera's nodes
(RAF5xx) and sizes the pilot for the plan:

    python examples/18_hpc_ensemble.py                  # local threads
    RAF_BACKEND=radical.pilot python examples/18_hpc_ensemble.py
    raf check examples/18_hpc_ensemble.py               # against tacc.frontera
    raf compile examples/18_hpc_ensemble.py --backend radical.pilot -o plan
    raf compile examples/18_hpc_ensemble.py --backend radical.pilot \\
        --resource nersc.perlmutter_gpu -o plan-perlmutter
"""

import os

from radical.asyncflow import LocalExecutionBackend, RadicalExecutionBackend, WorkflowEngine

PILOT = {"resource": "tacc.frontera", "project": "ABC123", "queue": "normal"}
MEMBERS = 4
STEPS = 50

if os.environ.get("RAF_BACKEND", "local") == "radical.pilot":
    backend = RadicalExecutionBackend(PILOT)
else:
    backend = LocalExecutionBackend()
flow = WorkflowEngine(backend=backend)


@flow.executable_task(task_description={"ranks": 4, "cores_per_rank": 14}, timeout=1800)
def simulate(member, steps=STEPS):
    return f"echo member={member} steps={steps} energy=$(( ({member} * 37 + {steps}) % 101 ))"


@flow.executable_task(task_description={"ranks": 2, "cores_per_rank": 8, "gpus_per_rank": 0},
                      timeout=600)
def featurize(member, simulation):
    return f"echo features member={member} from='{simulation.strip()}'"


@flow.function_task(task_description={"ranks": 1, "cores_per_rank": 4}, timeout=300)
def reduce_energies(*features):
    energies = [int(line.rsplit("energy=", 1)[1].rstrip("'")) for line in features]
    return sum(energies) / len(energies)


@flow.function_task(timeout=60)
def report(mean, members):
    return f"{members} members, mean energy {mean:.2f}"


sims = [simulate(m) for m in range(MEMBERS)]
feats = [featurize(m, s) for m, s in enumerate(sims)]
summary = report(reduce_energies(*feats), MEMBERS)

if __name__ == "__main__":
    print(summary.result())
flow.shutdown()
