"""Service tasks run from a plan: started, used, stopped when the run ends, nothing left."""

from __future__ import annotations

import json
import os

import pytest

from radical.asyncflow.runtime.fingerprint import decode_value

from .conftest import journal, raf

SERVICE = '''\
import os
import sys

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

ROOT = {root}
flow = WorkflowEngine(backend=LocalExecutionBackend(grace=1.0))


@flow.executable_task(service=True, task_description={{"ready": r"\\(http://(\\S+?)/\\)"}})
def web_server(root):
    return f"{{sys.executable}} -u -m http.server 0 --bind 127.0.0.1 --directory {{root}}"


@flow.function_task
def query(service, path):
    import urllib.request

    with urllib.request.urlopen(f"http://{{service.endpoint}}/{{path}}", timeout=10) as reply:
        return reply.status, reply.read().decode()


server = web_server(ROOT)
answers = [query(server, name) for name in ("a.txt", "b.txt", "c.txt")]
flow.shutdown()
'''


@pytest.mark.parametrize(("root", "mode"), [('"site"', "static"),
                                            ('os.getcwd() + "/site"', "module")])
def test_a_service_plan_serves_three_queries_and_stops(tmp_path, root, mode) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in "abc":
        (site / f"{name}.txt").write_text(name * 3)
    (tmp_path / "wf.py").write_text(SERVICE.format(root=root))
    assert raf("compile", "wf.py", "-o", "plan", cwd=tmp_path).returncode == 0
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert plan["mode"] == mode
    proc = raf("run", "plan", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    values = [decode_value(r["value"]) for r in journal(tmp_path / "plan")
              if r["event"] == "done" and r.get("value")]  # module mode: by uid
    assert sorted(v for v in values if isinstance(v, tuple)) == [
        (200, "aaa"), (200, "bbb"), (200, "ccc")]
    info = next(v for v in values if hasattr(v, "endpoint"))
    assert info.endpoint.startswith("127.0.0.1:")
    with pytest.raises(ProcessLookupError):  # stopped when the run ended
        os.kill(info.pid, 0)
