"""The CLI contract: exit codes, formats, never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from radical.asyncflow.cli import main, raf

from .conftest import EXAMPLES, FIXTURES, ROOT, run_raf


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(raf, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_check_passes_every_example(in_root) -> None:
    code, out = invoke("check", *sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("1*.py")))
    assert code == 0, out


def test_check_reports_errors_with_exit_1_and_caret(in_root) -> None:
    code, out = invoke("check", "tests/data/workflows/raf302_undefined_name.py")
    assert code == 1
    assert "raf302_undefined_name.py:12:10: error RAF302 name 'analyse' is not defined" in out
    assert "^^^^^^^" in out and "hint:" in out


def test_check_json_and_github_formats(in_root) -> None:
    path = "tests/data/workflows/raf401_dynamic_loop.py"
    code, out = invoke("check", "--format", "json", path)
    data = json.loads(out)
    assert code == 0 and {d["code"] for d in data["diagnostics"]} == {"RAF401"}
    assert set(data["diagnostics"][0]) >= {"code", "severity", "message", "span", "hint"}
    code, out = invoke("check", "--format", "github", path)
    assert out.startswith("::warning file=tests/data/workflows/raf401_dynamic_loop.py,line=25")


def test_strict_turns_dynamic_regions_into_errors(in_root) -> None:
    code, out = invoke("check", "--strict", "examples/16_adaptive_loop.py")
    assert code == 1 and "error RAF402" in out


def test_compile_prints_the_json_contract(in_root) -> None:
    code, out = invoke("compile", "examples/14_sync_style.py")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "radical.asyncflow.compile/1"
    node = data["nodes"][1]
    assert set(node) >= {"id", "kind", "name", "after", "parent", "span", "args", "command",
                         "resources"}
    assert node["after"] == ["task1@27"] and node["command"] == "echo $(( {value} + 1 ))"


@pytest.mark.parametrize("style, marker", [("--tree", "critical path"), ("--dot", "digraph"),
                                           ("--mermaid", "flowchart TD")])
def test_show_styles(in_root, style: str, marker: str) -> None:
    code, out = invoke("show", style, "examples/13_nested_blocks.py")
    assert code == 0 and marker in out


def test_explain_prints_the_rule_doc_and_unknown_is_usage_error() -> None:
    code, out = invoke("explain", "raf401")
    assert code == 0 and "What it does" in out and "Use instead" in out
    assert main(["explain", "RAF999"]) == 2
    assert main(["compile"]) == 2


def test_internal_error_exits_3(monkeypatch, in_root, capsys) -> None:
    from radical.asyncflow.compiler import evaluator

    def broken(self):
        raise KeyError("boom")

    monkeypatch.setattr(evaluator.Evaluator, "run", broken)
    assert main(["check", "examples/14_sync_style.py"]) == 3
    out = capsys.readouterr().out
    assert "RAF900" in out and "please report" in out and "Traceback" not in out


def test_module_entry_point_and_no_traceback_on_garbage(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"def f(:\n\tpass\n")
    proc = run_raf("check", str(bad))
    assert proc.returncode == 1 and "RAF101" in proc.stdout and "Traceback" not in proc.stderr


def test_trace_keeps_module_prints_out_of_the_json(in_root) -> None:
    proc = run_raf("compile", "--trace", "examples/14_sync_style.py")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["mode"] == "trace"
    assert "EXECUTES" in proc.stderr and "⟦raf:" in proc.stderr


def test_suppression_comment(in_root) -> None:
    code, _ = invoke("check", str((FIXTURES / "ok_suppressed.py").relative_to(ROOT)))
    assert code == 0


def test_trace_reports_a_module_that_needs_real_values(tmp_path) -> None:
    module = tmp_path / "needs_values.py"
    module.write_text(
        "from radical.asyncflow import WorkflowEngine\n"
        "flow = WorkflowEngine()\n"
        "@flow.function_task\n"
        "def check():\n"
        "    return True\n"
        "if check().result():\n"
        "    check()\n"
        "flow.shutdown()\n")
    proc = run_raf("compile", "--trace", str(module))
    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(d["code"], d["span"]["line"]) for d in data["diagnostics"]] == [("RAF105", 6)]
    assert [n["name"] for n in data["nodes"]] == ["check"]
