"""The HTML report in a real headless Chromium: the DAG and timeline render, no console errors.

Chromium loads a copy of the page with a probe script appended; the probe
measures the rendered SVG elements and writes the numbers into the DOM, which
``--dump-dom`` prints.  Console messages and uncaught errors reach stderr via
``--enable-logging=stderr --v=0``; a control page with a deliberate error
proves that this capture works, so its silence on the report means something.
Chromium comes from Debian's packages (``bash .ci/system-deps.sh``); the tests
skip, saying so, only when it is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_report import cli, finished_run  # noqa: F401  (the module-scoped run fixture)

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="chromium is not installed and could not be (bash .ci/system-deps.sh installs it)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000", "--window-size=1280,1024"]

PROBE = """<script>
(function () {
  function box(sel) {
    var el = document.querySelector(sel);
    if (!el) return null;
    var r = el.getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  }
  function visible(sel) {
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (el) {
      var r = el.getBoundingClientRect();
      return r.width > 0 || r.height > 0;  // a vertical edge has no width
    }).length;
  }
  var fills = {};
  document.querySelectorAll("#dag .node").forEach(function (g) {
    fills[g.getAttribute("data-state")] = getComputedStyle(g.querySelector("rect")).fill;
  });
  var out = {ready: document.documentElement.getAttribute("data-ready"),
             painted: visible("#dag .node rect") === document.querySelectorAll("#dag .node").length,
             dag: box("#dag"), gantt: box("#gantt"), nodes: visible("#dag .node rect"),
             labels: visible("#dag .node text"), bars: visible("#gantt rect.bar"),
             edges: visible("#dag path.edge"), fills: fills};
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""

CONTROL = """<!DOCTYPE html><html><body><p>control</p>
<script>console.error("deliberate console error"); throw new Error("deliberate throw");</script>
</body></html>"""


def _chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    proc = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                           page.as_uri()], capture_output=True, text=True, timeout=90,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    console = [line for line in proc.stderr.splitlines()
               if ":CONSOLE" in line or "Uncaught" in line]
    return proc.stdout, console


def test_control_page_errors_are_caught(tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text(CONTROL)
    _, console = _chromium(page, tmp_path / "profile")
    assert any("deliberate console error" in line for line in console), console
    assert any("deliberate throw" in line for line in console), console


def test_report_renders_without_console_errors(finished_run: Path, tmp_path: Path) -> None:  # noqa: F811
    assert cli("report", str(finished_run), cwd=tmp_path).returncode == 0
    html = (finished_run / "report.html").read_text()
    page = tmp_path / "probe.html"
    page.write_text(html.replace("</body>", PROBE + "\n</body>"))
    dom, console = _chromium(page, tmp_path / "profile")
    assert console == []
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"'))
    assert probe["ready"] == "1"  # the page's own script ran to its end
    assert probe["dag"][0] > 300 and probe["dag"][1] > 200
    assert probe["gantt"][0] > 900 and probe["gantt"][1] > 100
    assert probe["nodes"] == probe["labels"] == 7
    assert probe["painted"] and probe["bars"] == 6 and probe["edges"] == 8
    assert probe["fills"] == {"done": "rgb(44, 160, 44)", "failed": "rgb(214, 39, 40)",
                              "dep_failed": "rgb(255, 127, 14)"}
