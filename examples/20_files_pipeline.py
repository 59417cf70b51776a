"""Files between tasks: a simulation writes trajectories, analysis reads them.

No future is passed from ``simulate`` to ``analyse``: the edge comes from the
file names.  ``OutputFile("traj_0.dat")`` makes ``simulate`` the producer of
that file; ``InputFile("traj_0.dat")`` in a later task waits for it.  Bodies
receive absolute paths under the engine's ``work_dir``; every declared output
must exist when its task ends (else the task fails with ``OutputMissing``).

    python examples/20_files_pipeline.py
    raf compile examples/20_files_pipeline.py     # nodes list inputs/outputs
"""

import tempfile

from radical.asyncflow import InputFile, LocalExecutionBackend, OutputFile, WorkflowEngine

N_MEMBERS = 3

with tempfile.TemporaryDirectory() as scratch:
    flow = WorkflowEngine(backend=LocalExecutionBackend(), work_dir=scratch)

    @flow.executable_task
    def simulate(member, trajectory):
        steps, scale = 10 * (member + 1), member + 1
        return f"for i in $(seq 1 {steps}); do echo $((i * {scale})); done > {trajectory}"

    @flow.executable_task
    def analyse(trajectory, stats):
        return f"awk '{{s += $1}} END {{print NR, s}}' {trajectory} > {stats}"

    @flow.function_task
    def report(*stats_files):
        rows = []
        for path in stats_files:
            with open(path) as handle:
                count, total = handle.read().split()
            rows.append(f"{count} samples, sum {total}")
        return "\n".join(rows)

    for m in range(N_MEMBERS):
        simulate(m, OutputFile(f"traj_{m}.dat"))
        analyse(InputFile(f"traj_{m}.dat"), OutputFile(f"stats_{m}.txt"))
    summary = report(*[InputFile(f"stats_{m}.txt") for m in range(N_MEMBERS)])
    print(summary.result())
    flow.shutdown()
