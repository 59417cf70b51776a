"""A service task: an HTTP server on 127.0.0.1 that three tasks query.

``service=True`` starts the command and resolves the task's future as soon as
the service is **ready**: here, when a stdout line matches the ``ready``
pattern (without one: its first non-empty line).  The future's value is a
``ServiceInfo``; ``endpoint`` is the pattern's first group.  The server keeps
running while the queries use it and is stopped (its whole process group) at
shutdown.  If it died meanwhile, its users would fail with ``ServiceLost``.

    python examples/22_service.py
"""

import os
import sys

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

HERE = os.path.dirname(os.path.abspath(__file__))
flow = WorkflowEngine(backend=LocalExecutionBackend(grace=1.0))


@flow.executable_task(service=True, task_description={"ready": r"\(http://(\S+?)/\)"})
def web_server(root):
    # -u: the ready line must not sit in a pipe buffer
    return f"{sys.executable} -u -m http.server 0 --bind 127.0.0.1 --directory {root}"


@flow.function_task
def query(service, path):
    import urllib.request

    with urllib.request.urlopen(f"http://{service.endpoint}/{path}", timeout=10) as reply:
        return reply.status, reply.readline().decode().strip()


server = web_server(HERE)
answers = [query(server, name) for name in ("22_service.py", "20_files_pipeline.py", "")]
for answer in answers:
    print(answer.result())
info = server.result()
print(f"the service was at {info.endpoint} (pid {info.pid})")
flow.shutdown()
try:
    os.kill(info.pid, 0)
    print("server still running?!")
except ProcessLookupError:
    print("server stopped at shutdown")
