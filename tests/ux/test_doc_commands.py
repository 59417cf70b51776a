"""The shell commands the README and getting-started show, run as a new user would type them.

Every ```sh line that starts with ``raf`` runs, in document order, in a scratch
directory holding a copy of ``examples/`` committed to a fresh git repository
(for ``--against HEAD``).  A line exits 0 unless its comment says ``[exit N]``.
Also: the YAML snippets parse, ``.pre-commit-hooks.yaml`` runs ``raf check``, and
``--format github`` prints annotations GitHub understands.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLES, ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "getting-started.md"]
SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)
EXIT = re.compile(r"\[exit (\d+)\]")


def commands(doc: Path) -> list[tuple[str, int]]:
    found = []
    for block in SH_BLOCK.findall(doc.read_text()):
        for line in block.splitlines():
            command, _, comment = line.partition("#")
            if command.strip().startswith("raf "):
                expected = EXIT.search(comment)
                found.append((command.strip(), int(expected.group(1)) if expected else 0))
    return found


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "u", "GIT_AUTHOR_EMAIL": "u@example.invalid",
           "GIT_COMMITTER_NAME": "u", "GIT_COMMITTER_EMAIL": "u@example.invalid"}
    for git in (["init", "-q", "."], ["add", "-A"], ["commit", "-q", "-m", "examples"]):
        subprocess.run(["git", *git], cwd=tmp_path, env=env, check=True)
    return {"cwd": str(tmp_path), **env}


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_documented_commands_exit_as_documented(doc: Path, scratch: dict[str, str]) -> None:
    cwd = scratch.pop("cwd")
    listed = commands(doc)
    assert len(listed) >= 6, listed
    failures = []
    for command, expected in listed:
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=scratch, capture_output=True,
                              text=True, timeout=120)
        if proc.returncode != expected or "Traceback" in proc.stderr:
            failures.append(f"{command}: exit {proc.returncode}, documented {expected}\n"
                            f"{proc.stderr[-1500:]}")
    assert not failures, "\n".join(failures)
    assert list(Path(cwd).glob("plans/bio/runs/1/report.html"))


def test_yaml_snippets_parse() -> None:
    blocks = YAML_BLOCK.findall((ROOT / "docs" / "cli.md").read_text())
    assert len(blocks) == 2
    workflow, precommit = (yaml.safe_load(b) for b in blocks)
    steps = " ".join(s.get("run", "") for s in workflow["jobs"]["check"]["steps"])
    assert "raf check --format github" in steps
    assert precommit["repos"][0]["hooks"][0]["id"] == "raf-check"


def test_pre_commit_hooks_run_raf_check(tmp_path: Path) -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"raf-check", "raf-check-strict"}
    bad = tmp_path / "bad.py"
    bad.write_text("def broken(:\n")
    bin_dir = Path(sys.executable).parent
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["python"]
        program, *args = hook["entry"].split()
        good = subprocess.run([str(bin_dir / program), *args, str(EXAMPLES / "12_bioinformatics"
                                                                   "_pipeline.py")],
                              capture_output=True, text=True, timeout=60)
        assert good.returncode == 0, good.stdout + good.stderr
        failed = subprocess.run([str(bin_dir / program), *args, str(bad)], capture_output=True,
                                text=True, timeout=60)
        assert failed.returncode == 1 and "RAF101" in failed.stdout
    dynamic = str(EXAMPLES / "16_adaptive_loop.py")
    strict = subprocess.run([str(bin_dir / "raf"), "check", "--strict", dynamic],
                            capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1


def test_github_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raf) -> None:
    monkeypatch.chdir(tmp_path)
    Path("wf.py").write_text("x = (\n")
    result = raf("check", "--format", "github", "wf.py")
    assert result.code == 1
    assert re.fullmatch(r"::error file=wf\.py,line=1,col=\d+,endLine=1,endColumn=\d+,"
                        r"title=RAF101::.+", result.out.strip()), result.out
