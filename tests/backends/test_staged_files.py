"""Staged files without a pilot: what the engine tells a staging backend, and the
Radical.Pilot directives, temporary outputs and service scripts built from it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from radical.asyncflow import InputFile, OutputFile, WorkflowEngine
from radical.asyncflow.errors import OutputMissing, StagingError
from radical.asyncflow.runtime.backends import _rp_services, _rp_staging
from radical.asyncflow.runtime.backends.base import FileRef, TaskSpec
from radical.asyncflow.runtime.backends.fake import FakeBackend
from radical.asyncflow.runtime.files import relative_name

pytestmark = pytest.mark.timeout(60)
RP = SimpleNamespace(TRANSFER="Transfer", LINK="Link", COPY="Copy")


class StagingFake(FakeBackend):
    stages_files = True


@pytest.mark.parametrize("staging", [True, False])
async def test_the_engine_tells_the_backend_each_tasks_files(tmp_path, staging):
    backend = StagingFake() if staging else FakeBackend()
    (tmp_path / "given.txt").write_text("x")
    outside = tmp_path.parent / f"outside-{tmp_path.name}.txt"
    outside.write_text("y")
    async with WorkflowEngine(backend=backend, work_dir=tmp_path) as flow:

        @flow.function_task
        def make(out):
            Path(out if os.path.isabs(out) else tmp_path / out).write_text("z")
            return out

        @flow.function_task
        def use(*paths):
            return paths

        made = make(OutputFile("sub/made.txt"))
        seen = await use(InputFile("sub/made.txt"), InputFile("given.txt"), InputFile(outside))
    outside.unlink()
    if staging:
        assert await made == "sub/made.txt"
        assert seen == ("sub/made.txt", "given.txt", f"_root{outside}")
    else:
        assert seen == (str(tmp_path / "sub/made.txt"), str(tmp_path / "given.txt"), str(outside))
    producer, consumer = backend.submitted
    assert producer.outputs == (FileRef(str(tmp_path / "sub/made.txt"), "sub/made.txt"),)
    assert consumer.inputs == (
        FileRef(str(tmp_path / "sub/made.txt"), "sub/made.txt", made.uid),
        FileRef(str(tmp_path / "given.txt"), "given.txt", None),
        FileRef(str(outside), f"_root{outside}", None),
    )
    assert consumer.outputs == ()


def test_relative_names_stay_inside_the_sandbox():
    assert relative_name("/w/a/b.txt", "/w") == "a/b.txt"
    assert relative_name("/data/in.csv", "/w") == "_root/data/in.csv"
    assert relative_name("/wx/in.csv", "/w") == "_root/wx/in.csv"


def _spec(inputs=(), outputs=(), **kw) -> TaskSpec:
    return TaskSpec("task.000009", "t", "executable", command="true", inputs=tuple(inputs),
                    outputs=tuple(outputs), **kw)


def test_directives_link_from_this_pilots_producers_and_copy_the_rest(tmp_path):
    work = str(tmp_path)
    linked = FileRef(f"{work}/a.dat", "a.dat", "task.000001")
    updated = FileRef(f"{work}/b.dat", "b.dat", "task.000002")
    elsewhere = FileRef(f"{work}/c.dat", "c.dat", "task.000003")  # made by another backend
    plain = FileRef(f"{work}/d.dat", "d.dat")
    sandboxes = {"task.000001": "/sb/p1", "task.000002": "/sb/p2"}
    outputs = [FileRef(f"{work}/b.dat", "b.dat"), FileRef(f"{work}/out/e.dat", "out/e.dat")]
    staged = _rp_staging.plan(RP, _spec([linked, updated, elsewhere, plain], outputs),
                              "raf.x.000009", sandboxes)
    assert [(d["source"], d["target"], d["action"]) for d in staged.input_staging] == [
        ("file://localhost/sb/p1/a.dat", "task:///a.dat", "Link"),
        ("file://localhost/sb/p2/b.dat", "task:///b.dat", "Copy"),  # in place: a private copy
        (f"file://localhost{work}/c.dat", "task:///c.dat", "Transfer"),
        (f"file://localhost{work}/d.dat", "task:///d.dat", "Transfer"),
    ]
    assert [(d["source"], d["target"]) for d in staged.output_staging] == [
        ("task:///b.dat", f"file://localhost{work}/.b.dat.raf-raf.x.000009"),
        ("task:///out/e.dat", f"file://localhost{work}/out/.e.dat.raf-raf.x.000009"),
    ]
    assert staged.dirs == ["out"]
    own_sandbox = _rp_staging.plan(RP, _spec([linked], description={"sandbox": "/other/fs"}),
                                   "raf.x.000010", sandboxes)
    assert own_sandbox.input_staging[0]["action"] == "Copy"  # links fail across filesystems


def test_unsafe_names_and_service_outputs_are_refused():
    with pytest.raises(StagingError, match=r"cannot stage 'a b\.dat'"):
        _rp_staging.plan(RP, _spec([FileRef("/w/a b.dat", "a b.dat")]), "u", {})
    with pytest.raises(StagingError, match="service cannot declare OutputFile"):
        _rp_staging.plan(RP, _spec(outputs=[FileRef("/w/o.dat", "o.dat")], service=True), "u", {})


def test_outputs_are_renamed_into_place_only_when_all_arrived(tmp_path):
    final_a, final_b = tmp_path / "a.dat", tmp_path / "b.dat"
    final_b.write_text("old")
    refs = [FileRef(str(final_a), "a.dat"), FileRef(str(final_b), "b.dat")]
    staged = _rp_staging.plan(RP, _spec(outputs=refs), "raf.x.1", {})
    Path(staged.outputs[0][1]).write_text("new a")  # b.dat was not copied back
    missing = _rp_staging.finish("t", staged, "/sb/t")
    assert isinstance(missing, OutputMissing) and str(missing).endswith("(/sb/t): b.dat")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.dat"]  # no temporaries, old b kept
    assert final_b.read_text() == "old"
    for _, tmp, _ in staged.outputs:
        Path(tmp).write_text("new")
    assert _rp_staging.finish("t", staged, "/sb/t") is None
    assert final_a.read_text() == final_b.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dat", "b.dat"]


def test_an_input_rp_failed_to_stage_becomes_a_staging_error():
    detail = ("Traceback ...\n  File \".../agent/staging_input/default.py\", line 190\n"
              "FileNotFoundError: [Errno 2] No such file or directory: '/sb/p1/a.dat'")
    task = SimpleNamespace(exit_code=None, exception="FileNotFoundError(2, 'No such file')",
                           exception_detail=detail)
    error = _rp_staging.input_failure("t", task)
    assert isinstance(error, StagingError) and "'/sb/p1/a.dat'" in str(error)
    assert _rp_staging.input_failure("t", SimpleNamespace(**{**vars(task), "exit_code": 1})) is None


def test_a_service_command_survives_rps_launch_script_verbatim(tmp_path):
    """Replays what RP does: pre_exec lines in bash, then ``sh -c '<executable>'``."""
    bin_dir = tmp_path / "rpbin"
    bin_dir.mkdir()
    command = "echo \"$HOME\" '$HOME' `echo tick` \\\\; echo PATH=$PATH"
    fields = _rp_services.fields(command, "raf.x.000001", ["export USER_PRE=1"])
    script = "\n".join([f"export RP_CTRL={bin_dir}/radical-pilot-control",
                        "export PATH=/usr/bin:/bin", *fields["pre_exec"],
                        "echo WRAPPER_PATH=$PATH", f"sh -c {fields['executable']!r}"])
    out = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env={"HOME": "/home/h"}).stdout.splitlines()
    assert out == [f"WRAPPER_PATH={bin_dir}:/usr/bin:/bin",  # the wrapper is found on PATH
                   "/home/h $HOME tick \\", "PATH=/usr/bin:/bin"]  # the command sees its own


def _run_like_rps_wrapper(tmp_path, command):
    """The service script as RP's wrapper runs it: ``/bin/sh -c 'bash <script> >OUT 2>ERR'``."""
    fields = _rp_services.fields(command, "raf.x.000002", [])
    script = "\n".join(["export RP_CTRL=/rp/bin/radical-pilot-control PATH=/usr/bin:/bin",
                        *fields["pre_exec"], f"/bin/sh -c '{fields['executable']} >out 2>err'"])
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env={})
    status = tmp_path / "raf.x.000002.service.exit"
    return proc.returncode, status.read_text().strip() if status.exists() else None


@pytest.mark.parametrize(("command", "code"), [
    ("echo up; exit 3", 3),
    ("echo up; exec sh -c 'exit 0'", 0),
    ("echo up; exec sh -c 'kill -9 $$'", 137),  # the service itself killed by a signal
])
def test_a_service_script_records_its_exit_status_through_exit_and_exec(tmp_path, command, code):
    assert _run_like_rps_wrapper(tmp_path, command) == (code, str(code))


def test_exit_code_0_without_a_recorded_status_blames_the_services_shell(tmp_path):
    """RP's wrapper exits 0 when the shell it started dies of a signal (measured on RP 1.103)."""
    paths = _rp_services.output_paths(str(tmp_path), "raf.x.000003", SimpleNamespace(
        stdout=None, stderr=None))
    service = _rp_services.Starting("task.000003", "raf.x.000003", "svc", *paths, None)
    assert "svc' (task.000003) ended (the shell running it was killed by a signal, which " \
           "Radical.Pilot reports as exit code 0) while in use" in str(service.lost("DONE", 0))
    assert "killed by a signal" in str(service.not_ready("DONE", 0))
    assert "exited with code 137 (killed by signal 9)" in str(service.lost("FAILED", 137))
    (tmp_path / "raf.x.000003.service.exit").write_text("0\n")
    assert "svc' (task.000003) exited with code 0 while in use" in str(service.lost("DONE", 0))
