"""The progress display of ``raf run`` names the tasks that are running."""

from __future__ import annotations

from radical.asyncflow.runtime.plan_report import Report


def test_progress_names_running_tasks_and_forgets_finished_ones(tmp_path):
    report = Report({"nodes": [{"id": f"n{i}"} for i in range(5)]}, str(tmp_path))
    try:
        for nid in ("a@1", "b@2", "c@3", "d@4", "e@5"):
            report.advance(nid, "running")
        report.advance("b@2", "running")  # submitted, then running: still one entry
        assert report.running_text() == "running: a@1, b@2, c@3 (+2)"
        report.advance("a@1", "done")
        report.advance("c@3", "failed")
        assert report.running_text() == "running: b@2, d@4, e@5"
        for nid in ("b@2", "d@4", "e@5"):
            report.advance(nid, "done")
        assert report.running_text() == ""
        assert report._progress.tasks[0].completed == 5
    finally:
        report.stop()
