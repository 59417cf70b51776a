"""``raf show``: snapshots of every picture of the examples, plans, images, graphviz missing."""

from __future__ import annotations

import shutil

import pytest

from .conftest import EXAMPLE_FILES, ROOT

STYLES = ("--tree", "--dot", "--mermaid")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="graphviz `dot` is not installed (bash .ci/system-deps.sh)")


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_show_examples(raf, snapshot, path, style) -> None:
    result = raf("show", style, str(path.relative_to(ROOT)))
    assert result.code == 0, result.err
    assert result.out == snapshot


@pytest.mark.parametrize("style", STYLES)
def test_show_critical_path_highlighted(raf, snapshot, style) -> None:
    result = raf("show", style, "--critical-path", "examples/13_nested_blocks.py")
    assert result.code == 0, result.err
    assert result.out == snapshot
    marks = {"--tree": "* campaign@47/build_system@38", "--dot": "penwidth=2.5",
             "--mermaid": "class n1,n3,n4 critical"}
    assert marks[style] in result.out


def test_dynamic_regions_are_marked(raf) -> None:
    path = "examples/16_adaptive_loop.py"
    tree, dot, mermaid = (raf("show", s, path).out for s in STYLES)
    assert "[dynamic]" in tree and "while-loop@" in tree
    assert "shape=octagon,style=dashed,tooltip=" in dot
    assert "classDef dynamic stroke-dasharray" in mermaid


def test_blocks_are_clusters_and_subgraphs(raf) -> None:
    dot = raf("show", "--dot", "examples/13_nested_blocks.py").out
    mermaid = raf("show", "--mermaid", "examples/13_nested_blocks.py").out
    assert 'subgraph "cluster_campaign@47/stage@39[1]" {' in dot
    assert '  subgraph n5 ["campaign@47/stage@39[1]"]' in mermaid


def test_show_plan_directory_uses_estimated_critical_path(raf, tmp_path) -> None:
    plan = tmp_path / "plan"
    assert raf("compile", "examples/13_nested_blocks.py", "--backend", "radical.pilot",
               "-o", str(plan)).code == 0
    result = raf("show", str(plan), "--critical-path")
    assert result.code == 0, result.err
    # the plan's critical path counts a block before its members (estimates), 5 nodes
    assert result.out.splitlines()[-1] == (
        "critical path (*): campaign@47 -> campaign@47/build_system@38 -> "
        "campaign@47/stage@39[0]/equilibrate@32 -> campaign@47/stage@39[0]/production@33 -> "
        "summarize@47")
    module = raf("show", "examples/13_nested_blocks.py").out
    unmarked = [line.replace("* ", "") for line in result.out.splitlines()[1:-1]]
    assert unmarked == module.splitlines()[1:-1]


@needs_dot
def test_svg_and_png(raf, tmp_path) -> None:
    svg, png = tmp_path / "g.svg", tmp_path / "g.png"
    assert raf("show", "--svg", "--critical-path", "examples/13_nested_blocks.py",
               "-o", str(svg)).code == 0
    assert raf("show", "--png", "examples/13_nested_blocks.py", "-o", str(png)).code == 0
    text = svg.read_text()
    assert "<svg" in text and "cluster_campaign@47" in text and "#d62728" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert raf("show", "--svg", "examples/13_nested_blocks.py").out.lstrip().startswith("<?xml")


def test_without_graphviz_a_clear_message_and_exit_2(raf, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    result = raf("show", "--svg", "examples/13_nested_blocks.py", "-o", str(tmp_path / "g.svg"))
    assert result.code == 2
    assert "needs Graphviz's `dot` program, which is not installed" in result.err
    assert "apt-get install graphviz" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize("args", [("nope.py",), ("examples",), ("--png", "x.py", "--dot")])
def test_bad_targets_exit_2(raf, args) -> None:
    result = raf("show", *args)
    assert result.code == 2 and "Traceback" not in result.err
