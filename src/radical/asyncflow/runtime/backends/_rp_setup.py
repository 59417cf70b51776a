"""What Radical.Pilot needs from its host process, and cleaning up after it.

Measured facts this module encodes (see ``docs/backends.md``):

* RP's client spawns helper programs (``radical-pilot-bridge``,
  ``radical-pilot-agent_0``...) found on ``PATH``, and the local pilot picks its
  Python environment from ``VIRTUAL_ENV``.  A script run as
  ``.venv/bin/python seed.py`` without activating the venv has neither, so the
  session or the pilot dies; :func:`prepare_environment` sets both from
  ``sys.executable``.
* RP writes a client session directory into the working directory and pilot
  sandboxes into ``$HOME`` unless told otherwise; both go to one private
  temporary directory here (:func:`pilot_description`).
* With ``exit_on_error`` left True a failed pilot makes RP SIGTERM its own
  client process; we always pass False and watch the pilot's state instead.
* After a clean ``Session.close()`` running task processes can survive, and a
  killed client leaves the whole agent behind.  :func:`sweep` finds such
  processes by their working directory inside the backend's directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from typing import Any

#: PilotDescription keys of radical.pilot 1.103 (for clear errors before RP sees them)
PILOT_KEYS = frozenset({
    "uid", "resource", "access_schema", "runtime", "app_comm", "sandbox", "cores", "gpus",
    "nodes", "backup_nodes", "memory", "queue", "job_name", "project", "cleanup",
    "exit_on_error", "input_staging", "output_staging", "prepare_env", "services", "enable_ep",
    "reconfig_src",
})
#: default pilot walltime in minutes: long enough for an interactive workflow
DEFAULT_RUNTIME = 60 * 24


def prepare_environment(report: bool | None = None) -> None:
    """Make RP's helper programs and the interpreter's venv visible to its processes."""
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(p for p in (bindir, path) if p)
    if sys.prefix != sys.base_prefix and not os.environ.get("VIRTUAL_ENV"):
        os.environ["VIRTUAL_ENV"] = prefix
    if report is not None:
        os.environ["RADICAL_REPORT"] = "TRUE" if report else "FALSE"
    else:
        os.environ.setdefault("RADICAL_REPORT", "FALSE")
    os.environ.setdefault("RADICAL_BASE", os.path.join(tempfile.gettempdir(),
                                                       f"raf-radical-{os.getuid()}"))


def make_base_dir(base: str | None) -> str:
    """The backend's private directory: RP's client session dir and local sandboxes."""
    if base is not None:
        os.makedirs(base, exist_ok=True)
        return tempfile.mkdtemp(prefix="raf-rp-", dir=base)
    return tempfile.mkdtemp(prefix="raf-rp-")


def is_local(resource: str) -> bool:
    return resource.startswith("local.")


def pilot_description(resources: Mapping[str, Any], base: str) -> dict[str, Any]:
    """Our defaults under the user's ``PilotDescription`` dict."""
    from ...errors import BackendError

    unknown = sorted(set(resources) - PILOT_KEYS)
    if unknown:
        raise BackendError(
            f"RadicalExecutionBackend: unknown PilotDescription key(s) "
            f"{', '.join(map(repr, unknown))} (known: {', '.join(sorted(PILOT_KEYS))})")
    desc: dict[str, Any] = {"resource": "local.localhost", "runtime": DEFAULT_RUNTIME,
                            "exit_on_error": False}
    desc.update(resources)
    if not desc.get("nodes") and not desc.get("cores"):
        desc["cores"] = os.cpu_count() or 1
    if desc.get("exit_on_error"):
        raise BackendError("RadicalExecutionBackend needs exit_on_error=False: with True, "
                           "Radical.Pilot kills this process when the pilot fails")
    if is_local(desc["resource"]) and not desc.get("sandbox"):
        desc["sandbox"] = base
    return desc


def pilot_reason(pilot: Any, desc: Mapping[str, Any], state: str | None, final: bool,
                 local_dir: str | None, base: str | None) -> str:
    """Why the pilot is gone, for the ``BackendLost`` of its tasks."""
    what = f"Radical.Pilot pilot {pilot.uid} on {desc['resource']!r} ended in state {state}"
    if state == "DONE":
        what += f" (its runtime of {desc['runtime']} min ran out, or it was cancelled)"
    elif state is None or not final:
        what = f"Radical.Pilot pilot {pilot.uid} is still {pilot.state} after the timeout"
    detail = bootstrap_error(local_dir) if state == "FAILED" and local_dir else ""
    if detail:
        what += f"; its bootstrap reported:\n{detail}"
    return what + f" (its sandbox: {base})"


def bootstrap_error(pilot_dir: str) -> str:
    """The tail of a local pilot's bootstrap stderr: why the agent did not start."""
    try:
        with open(os.path.join(pilot_dir, "bootstrap_0.err"), errors="replace") as fh:
            return fh.read()[-1500:].strip()
    except OSError:
        return ""


def worker_environment() -> dict[str, str]:
    """The environment RAPTOR workers need to import the caller's modules."""
    paths = [os.path.abspath(p) for p in sys.path if p and os.path.isdir(p)]
    paths.insert(0, os.getcwd())
    return {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def processes_in(base: str) -> list[Any]:
    """Processes (and their descendants) whose working directory lies inside ``base``."""
    import psutil

    base = os.path.realpath(base) + os.sep
    me = os.getpid()
    found: dict[int, Any] = {}
    for proc in psutil.process_iter(["pid", "cwd"]):
        cwd = proc.info.get("cwd")
        if proc.pid == me or not cwd or not (cwd + os.sep).startswith(base):
            continue
        found[proc.pid] = proc
        with contextlib.suppress(psutil.Error):
            for child in proc.children(recursive=True):
                found.setdefault(child.pid, child)
    found.pop(me, None)
    return list(found.values())


def sweep(base: str, grace: float = 3.0) -> int:
    """SIGTERM, then SIGKILL, every process left running inside ``base``; returns the count."""
    import psutil

    procs = [p for p in processes_in(base) if _alive(p)]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)
    return len(procs)


def _alive(proc: Any) -> bool:
    import psutil

    try:
        return bool(proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def remove_tree(path: str, attempts: int = 10) -> None:
    """Remove ``path``; RP's exiting helpers may still flush files into it, so retry."""
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.exists(path):
            return
        time.sleep(0.3)


def remove_temp_litter(sid: str) -> None:
    """Remove what RP leaves in the temp directory for session ``sid``.

    RP writes the agent's configuration to ``$TMPDIR/rp.agent_cfg.*`` and makes
    an empty ``$TMPDIR/<sid>`` directory; neither is removed by ``close()``.
    Only files that name this session are touched.
    """
    tmp = tempfile.gettempdir()
    with contextlib.suppress(OSError):
        os.rmdir(os.path.join(tmp, sid))  # only when empty
    marker = f'"sid": "{sid}"'
    for path in glob.glob(os.path.join(tmp, "rp.agent_cfg.*")):
        with contextlib.suppress(OSError), open(path, encoding="utf-8",
                                                errors="replace") as handle:
            if marker in handle.read(1 << 20):
                os.unlink(path)
