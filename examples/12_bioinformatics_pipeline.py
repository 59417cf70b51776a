"""Bioinformatics pipeline: per-sample QC -> alignment -> variant calling, then a merge.

Quality control and alignment are executables (here ``echo`` stands in for
``fastqc`` and ``bwa``); variant calling is a Python function; the cohort merge
waits for every sample.
"""

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

SAMPLES = ["NA12878", "NA12891", "NA12892"]
REFERENCE = "GRCh38.fa"

flow = WorkflowEngine(backend=LocalExecutionBackend())


@flow.executable_task
def quality_control(sample):
    return f"echo qc-pass {sample}"


@flow.executable_task(task_description={"ranks": 1, "cores_per_rank": 4})
def align(sample, qc, reference=REFERENCE):
    return f"echo {sample}.bam aligned-to {reference}"


@flow.function_task
def call_variants(sample, bam):
    return {"sample": sample, "variants": len(bam.split()) * 10}


@flow.function_task
def merge_cohort(calls):
    return {c["sample"]: c["variants"] for c in calls}


calls = []
for sample in SAMPLES:
    qc = quality_control(sample)
    bam = align(sample, qc)
    calls.append(call_variants(sample, bam))

cohort = merge_cohort(calls)
print(cohort.result())
flow.shutdown()
