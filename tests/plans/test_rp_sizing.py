"""Radical.Pilot plans: pilot sizing for real sites, machine data read without importing RP,
and a compiled RP plan run with ``raf run`` on a real local pilot (mark ``rp``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from radical.asyncflow.compiler.machines import (
    MachineError,
    catalogue,
    load_machine_file,
    resolve_target,
)

from .conftest import EXAMPLES, journal, raf

HPC = EXAMPLES / "18_hpc_ensemble.py"


def _section(tmp_path, *extra: str) -> dict:
    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "examples" / HPC.name).write_text(HPC.read_text())
    proc = raf("compile", f"examples/{HPC.name}", "--backend", "radical.pilot", *extra,
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["radical.pilot"]


# 4 simulations x 4 ranks x 14 cores = 224 executable cores in the widest batch, plus RAPTOR
# for the 4-core reduction: 1 master + 1 worker of 4 cores = 229 cores.  Critical path
# 1800 + 600 + 300 + 60 s, x 1.25 + 300 s startup = 3750 s -> 63 minutes.
SITES = {
    "tacc.frontera": {"nodes": 5, "cores": 280, "gpus": 0},  # 56 cores/node
    "nersc.perlmutter": {"nodes": 2, "cores": 256, "gpus": 0},  # 128 cores/node
    "nersc.perlmutter_gpu": {"nodes": 4, "cores": 256, "gpus": 16},  # 64 cores, 4 GPUs/node
}


@pytest.mark.parametrize("label", sorted(SITES))
def test_pilot_is_sized_for_the_site(tmp_path, label) -> None:
    section = _section(tmp_path, "--resource", label)
    pilot = section["pilot"]
    assert {k: pilot[k] for k in ("nodes", "cores", "gpus")} == SITES[label]
    assert (pilot["resource"], pilot["runtime"]) == (label, 63)
    assert section["raptor"] == {"workers": 1, "cores_per_worker": 4}
    assert section["sizing"]["cores_needed"] == 229
    # the module's queue/project describe Frontera only
    assert ("project" in pilot) == (label == "tacc.frontera")


def test_module_pilot_literal_is_the_default_target(tmp_path) -> None:
    pilot = _section(tmp_path)["pilot"]
    assert pilot == {"resource": "tacc.frontera", "nodes": 5, "cores": 280, "gpus": 0,
                     "runtime": 63, "project": "ABC123", "queue": "normal"}


def test_executables_are_portable_task_descriptions(tmp_path) -> None:
    first = _section(tmp_path)["task_batches"][0][0]
    assert first["mode"] == "task.executable"
    assert first["executable"].startswith("bash -c '") and first["arguments"] == []
    assert (first["ranks"], first["cores_per_rank"]) == (4, 14)
    last = _section(tmp_path)["task_batches"][-1][0]
    assert (last["mode"], last["function"]) == ("task.function", "tasks:report")


def test_machine_file(tmp_path) -> None:
    machine = tmp_path / "m.json"
    machine.write_text(json.dumps({"name": "tiny", "cores_per_node": 16, "nodes": 2}))
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / HPC.name).write_text(HPC.read_text())
    proc = raf("check", f"examples/{HPC.name}", "--machine", str(machine), cwd=tmp_path)
    assert proc.returncode == 1
    assert "RAF508" in proc.stdout and "RAF504" not in proc.stdout  # 56 cores > 2 x 16
    bad = tmp_path / "bad.json"
    bad.write_text('{"cores": 4}')
    with pytest.raises(MachineError, match="cores_per_node"):
        load_machine_file(str(bad))


def test_catalogue_is_read_as_data_without_importing_rp() -> None:
    code = ("import sys; from radical.asyncflow.compiler import compile_path; "
            f"compile_path({str(HPC)!r}); "
            "from radical.asyncflow.compiler.machines import catalogue; "
            "assert catalogue()['tacc.frontera'].cores_per_node == 56; "
            "assert not [m for m in sys.modules if m.startswith('radical.pilot')]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert catalogue()["local.localhost"].cores_per_node == 8
    assert resolve_target((), "tacc.fronterra").suggestion() == " (did you mean 'tacc.frontera'?)"


@pytest.mark.rp
@pytest.mark.timeout(180)
def test_rp_plan_runs_on_a_local_pilot_and_conforms(tmp_path) -> None:
    """A plan sized for Frontera, run here with --resource local.localhost (one pilot)."""
    example = EXAMPLES / "17_fan_out_fan_in.py"
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / example.name).write_text(example.read_text())
    proc = raf("compile", f"examples/{example.name}", "--backend", "radical.pilot",
               "--resource", "tacc.frontera", "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "plan" / "plan.json").read_text())["radical.pilot"][
        "pilot"]["resource"] == "tacc.frontera"
    run = raf("run", "plan", "--resource", "local.localhost", cwd=tmp_path, timeout=150)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    records = journal(tmp_path / "plan")
    assert records[0]["backend"] == "radical.pilot"
    assert records[-1]["outcome"] == "ok"


@pytest.mark.parametrize(("label", "nodes"), [("tacc.frontera", 4), ("nersc.perlmutter", 2),
                                              ("nersc.perlmutter_gpu", 4)])
def test_the_slurm_script_asks_for_whole_nodes_of_the_site(tmp_path, label, nodes) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / HPC.name).write_text(HPC.read_text())
    proc = raf("compile", f"examples/{HPC.name}", "--backend", "radical.pilot",
               "--resource", label, "-o", "plan", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    script = (tmp_path / "plan" / "submit.slurm").read_text()
    assert "#SBATCH --ntasks=224\n" in script  # the widest batch: 4 x 4 ranks x 14 cores
    assert f"#SBATCH --nodes={nodes}\n" in script
