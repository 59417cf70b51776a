"""InputFile / OutputFile: file edges, paths, downloads at run time, output checks (R15)."""

from __future__ import annotations

import asyncio
import http.server
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from radical.asyncflow import (
    InputFile,
    LocalExecutionBackend,
    NoopExecutionBackend,
    OutputFile,
    WorkflowEngine,
)
from radical.asyncflow.errors import DependencyFailureError, OutputMissing, StagingError
from radical.asyncflow.runtime.backends.fake import FakeBackend

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def flow(tmp_path):
    async with WorkflowEngine(backend=LocalExecutionBackend(grace=0.2), work_dir=tmp_path) as e:
        yield e


@pytest.fixture
def http_dir(tmp_path):
    """A loopback HTTP server over a fresh directory; yields (base_url, dir, hits)."""
    root = tmp_path / "served"
    root.mkdir()
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- edges ------------------------------------------------------------------------
async def test_output_then_input_of_the_same_name_is_a_dependency(tmp_path):
    fake = FakeBackend()
    async with WorkflowEngine(backend=fake, work_dir=tmp_path) as flow:
        created = {}
        flow.subscribe(lambda ev: created.setdefault(ev.name, ev) if ev.kind == "created" else 0)

        @flow.function_task
        def produce(out):
            return out

        @flow.function_task
        def consume(inp):
            return inp

        gate = fake.hold("produce")
        p = produce(OutputFile("x.dat"))
        c = consume(InputFile("x.dat"))
        await gate.started.wait()
        assert [s.name for s in fake.submitted] == ["produce"]  # consume waits for the file
        assert created["consume"].dependencies == (p.uid,)
        (tmp_path / "x.dat").write_text("data")
        gate.release("made")
        assert await c == str(tmp_path / "x.dat")
        assert await p == "made"


async def test_bodies_get_absolute_paths_anywhere_in_their_arguments(flow, tmp_path):
    @flow.executable_task
    def write(out, *, extra):
        return f"echo one > {out} && echo two > {extra['log'][0]}"

    @flow.function_task
    def read(files):
        return [Path(f).read_text().strip() for f in files]

    await write(OutputFile("sub/a.txt"), extra={"log": [OutputFile("b.txt")]})
    assert (tmp_path / "sub" / "a.txt").read_text() == "one\n"  # parent dirs are made
    assert await read([InputFile("sub/a.txt"), InputFile(str(tmp_path / "b.txt"))]) == [
        "one",
        "two",
    ]


async def test_latest_producer_wins_and_in_place_updates_chain(tmp_path):
    async with WorkflowEngine(backend=FakeBackend(), work_dir=tmp_path) as flow:
        deps = {}
        flow.subscribe(lambda ev: deps.setdefault(ev.uid, ev.dependencies))
        (tmp_path / "x").write_text("")

        @flow.function_task
        def step(*files):
            return None

        first = step(OutputFile("x"))
        second = step(InputFile("x"), OutputFile("x"))
        third = step(InputFile(str(tmp_path / "x")))  # same file, spelled absolute
        await asyncio.gather(first, second, third)
    assert deps[second.uid] == (first.uid,)
    assert deps[third.uid] == (second.uid,)


async def test_input_without_producer_must_exist(flow, tmp_path):
    @flow.function_task
    def read(inp):
        return Path(inp).read_text()

    with pytest.raises(StagingError, match=r"missing\.txt.*does not exist"):
        await read(InputFile("missing.txt"))
    (tmp_path / "here.txt").write_text("ok")
    assert await read(InputFile("here.txt")) == "ok"


async def test_blocks_pass_file_objects_through_to_their_tasks(flow, tmp_path):
    @flow.executable_task
    def make(out):
        return f"echo hi > {out}"

    @flow.function_task
    def read(inp):
        return Path(inp).read_text()

    @flow.block
    async def pipeline(out, inp):
        assert isinstance(out, OutputFile) and isinstance(inp, InputFile)
        await make(out)
        return await read(inp)

    assert await pipeline(OutputFile("b.txt"), InputFile("b.txt")) == "hi\n"


# -- R15: declared outputs must exist ------------------------------------------------
async def test_missing_output_fails_the_producer_and_its_dependents(flow, tmp_path):
    @flow.executable_task
    def forgets(out):
        return "true"

    @flow.function_task
    def after(inp):
        return "never"

    @flow.function_task
    def unrelated():
        return "fine"

    p = forgets(OutputFile("never.dat"))
    d = after(InputFile("never.dat"))
    u = unrelated()
    with pytest.raises(OutputMissing, match=r"'forgets'.*never\.dat"):
        await p
    assert p.state == "FAILED"
    with pytest.raises(DependencyFailureError) as info:
        await d
    assert isinstance(info.value.root_cause, OutputMissing)
    assert await u == "fine"


async def test_partial_outputs_of_a_failed_task_are_removed_but_old_files_kept(flow, tmp_path):
    old = tmp_path / "old.dat"
    old.write_text("from an earlier run")
    past = time.time() - 3600
    os.utime(old, (past, past))

    @flow.executable_task
    def half(a, b, c):
        return f"echo part > {a}; exit 3"

    @flow.executable_task
    def one_of_two(a, b):
        return f"echo part > {a}"

    with pytest.raises(Exception, match="exited with code 3"):
        await half(OutputFile("a.dat"), OutputFile("b.dat"), OutputFile("old.dat"))
    assert not (tmp_path / "a.dat").exists()
    assert old.read_text() == "from an earlier run"
    with pytest.raises(OutputMissing, match=r"d\.dat") as info:
        await one_of_two(OutputFile("c.dat"), OutputFile("d.dat"))
    assert "c.dat" not in str(info.value)
    assert not (tmp_path / "c.dat").exists()


async def test_retry_after_missing_output(flow, tmp_path):
    marker = tmp_path / "attempted"

    @flow.executable_task(retries=1)
    def flaky(out):
        return f"if [ -e {marker} ]; then echo ok > {out}; else touch {marker}; fi"

    await flaky(OutputFile("r.dat"))
    assert (tmp_path / "r.dat").read_text() == "ok\n"


# -- URLs ------------------------------------------------------------------------
async def test_url_is_fetched_when_the_task_runs_not_when_built(flow, tmp_path, http_dir):
    base, root, hits = http_dir
    ref = InputFile(f"{base}/data/in.txt")  # the file does not even exist yet
    assert ref.name == "in.txt" and hits == []
    (root / "data").mkdir()
    (root / "data" / "in.txt").write_text("payload")

    @flow.function_task
    def read(inp):
        return inp, Path(inp).read_text()

    path, text = await read(ref)
    assert (path, text) == (str(tmp_path / "in.txt"), "payload")
    assert hits == ["/data/in.txt"]
    assert await read(InputFile(f"{base}/data/in.txt", name="copy.txt")) == (
        str(tmp_path / "copy.txt"),
        "payload",
    )


async def test_failed_downloads_fail_only_that_task_and_name_the_url(flow, http_dir):
    base, _, _ = http_dir
    port = refused_port()

    @flow.function_task
    def read(inp):
        return "ran"

    @flow.function_task
    def after(x):
        return "never"

    refused = read(InputFile(f"http://127.0.0.1:{port}/x.txt"))
    missing = read(InputFile(f"{base}/nope.txt"))
    dependent = after(refused)
    fine = read("not a file")
    with pytest.raises(StagingError, match=rf"http://127\.0\.0\.1:{port}/x\.txt.*refused"):
        await refused
    with pytest.raises(StagingError, match=r"nope\.txt: HTTP Error 404"):
        await missing
    with pytest.raises(DependencyFailureError):
        await dependent
    assert await fine == "ran"


async def test_unsupported_scheme_is_a_staging_error(flow):
    @flow.function_task
    def read(inp):
        return "ran"

    assert InputFile("s3://bucket/key").url is None  # not a URL we fetch: a plain name
    with pytest.raises(StagingError, match="does not exist"):
        await read(InputFile("s3://bucket/key"))


# -- dry runs and cost -------------------------------------------------------------
async def test_dry_run_keeps_file_edges_but_checks_nothing(tmp_path):
    async with WorkflowEngine(backend=NoopExecutionBackend(), work_dir=tmp_path) as flow:
        deps = {}
        flow.subscribe(lambda ev: deps.setdefault(ev.name, ev.dependencies))

        @flow.executable_task
        def make(out):
            return "true"

        @flow.function_task
        def use(inp):
            return inp

        m = make(OutputFile("x"))
        await use(InputFile("x"))
        await use(InputFile("http://127.0.0.1:1/never-fetched"))
        assert deps["use"] == (m.uid,)
    assert list(tmp_path.iterdir()) == []


def test_engine_without_file_objects_keeps_no_file_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    flow = WorkflowEngine()
    try:

        @flow.function_task
        def f(x):
            return x

        assert f([1, {"a": 2}]).result() == [1, {"a": 2}]
        assert flow.work_dir == str(tmp_path)
        assert flow._files.sets == {} and flow._files.producers == {}
    finally:
        flow.shutdown()


def test_file_objects_are_plain_values():
    assert InputFile("a") == InputFile("a") != OutputFile("a")
    assert InputFile("http://h/x/y.csv").name == "y.csv"
    assert InputFile("http://h/").name == "download"
    assert repr(OutputFile("o")) == "OutputFile('o')"
    import pickle

    ref = InputFile("http://h/x.csv", name="z")
    assert pickle.loads(pickle.dumps(ref)) == ref
    with pytest.raises(ValueError):
        OutputFile("dir/")
    with pytest.raises(ValueError):
        InputFile("")
