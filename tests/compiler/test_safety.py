"""The compiler never executes user code: audit-hook oracle, lint, and import traps."""

from __future__ import annotations

import ast
import json
import sys
import textwrap
from pathlib import Path

from .conftest import ROOT, run_raf

COMPILER = ROOT / "src" / "radical" / "asyncflow" / "compiler"
FORBIDDEN_EVENTS = ("exec", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
                    "os.spawn", "socket.connect", "os.fork", "os.kill", "ctypes.dlopen")

AUDITED = textwrap.dedent("""
    import json, sys
    log = open(sys.argv[1], "w")
    events = []
    def hook(event, args):
        if event == "open":
            events.append([event, str(args[0]), str(args[1])])
        elif event == "exec":
            events.append([event, getattr(args[0], "co_filename", "?"), ""])
        elif event in ("import", "compile") or event.startswith(
                ("subprocess", "os.", "socket", "ctypes")):
            events.append([event, repr(args)[:200], ""])
    sys.addaudithook(hook)
    from radical.asyncflow.cli import main
    codes = [main(["check", sys.argv[2]]), main(["compile", sys.argv[2]])]
    json.dump({"events": events, "codes": codes}, log)
    log.close()
""")

MALICIOUS = textwrap.dedent("""
    import os, socket, subprocess
    import evilpkg.sub
    from evilpkg import payload
    from radical.asyncflow import WorkflowEngine
    open({sentinel!r}, "w").write("USER CODE RAN")
    subprocess.run(["touch", {sentinel!r}])
    socket.create_connection(("127.0.0.1", 9))
    if os.fork() == 0:
        os._exit(0)
    flow = WorkflowEngine()

    @flow.function_task
    def step(x):
        open({sentinel!r}, "w").write("TASK BODY RAN")
        return x

    step(payload)
    while True:
        pass
    os._exit(13)
""")


def test_check_and_compile_execute_nothing(tmp_path: Path) -> None:
    sentinel = tmp_path / "SENTINEL"
    pkg = tmp_path / "evilpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(f"open({str(sentinel)!r}, 'w').write('PKG RAN')\n"
                                     "payload = 1\n")
    (pkg / "sub.py").write_text(f"open({str(sentinel)!r}, 'w').write('SUB RAN')\n")
    module = tmp_path / "evil_workflow.py"
    module.write_text(MALICIOUS.format(sentinel=str(sentinel)))
    report = tmp_path / "audit.json"
    proc = __import__("subprocess").run(
        [sys.executable, "-c", AUDITED, str(report), str(module)], cwd=tmp_path,
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert not sentinel.exists()
    assert data["codes"] == [0, 0]  # only warnings: a while loop and an opaque import
    for event, arg, mode in data["events"]:
        if event == "exec":
            assert not arg.startswith(str(tmp_path)), arg
            continue
        assert not event.startswith(FORBIDDEN_EVENTS), (event, arg)
        if event == "open":
            assert not any(c in mode for c in "wax+") or arg == str(report), (arg, mode)
        if event == "import":
            assert "evilpkg" not in arg and "evil_workflow" not in arg, arg


NAMES = {"exec", "eval", "__import__", "import_module", "find_spec", "pkgutil", "runpy",
         "exec_module", "run_path", "run_module"}


def test_compiler_source_never_references_code_execution() -> None:
    offenders = []
    for path in sorted(COMPILER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Name):
                names = [node.id] + (["exec"] if node.id == "compile" else [])
            elif isinstance(node, ast.Attribute):
                spec_loader = node.attr == "loader" and "spec" in ast.unparse(node.value)
                names = [node.attr] + (["exec"] if spec_loader else [])
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
            offenders += [f"{path.name}:{node.lineno}: {n}" for n in names
                          if n.split(".")[-1] in NAMES or n.split(".")[0] in {"importlib",
                                                                              "runpy", "pkgutil"}]
    assert not offenders, offenders


def test_a_user_package_is_resolved_by_path_only(tmp_path: Path) -> None:
    pkg = tmp_path / "stages"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise SystemExit('package ran')\n")
    (pkg / "tasks.py").write_text("def attach(flow):\n    @flow.function_task\n"
                                  "    def t():\n        return 1\n    return t\n")
    module = tmp_path / "wf.py"
    module.write_text("from radical.asyncflow import WorkflowEngine\n"
                      "from stages.tasks import attach\nflow = WorkflowEngine()\n"
                      "attach(flow)\n")
    proc = run_raf("check", "--format", "json", str(module), cwd=tmp_path)
    codes = [d["code"] for d in json.loads(proc.stdout)["diagnostics"]]
    assert proc.returncode == 0 and codes == ["RAF408"]
