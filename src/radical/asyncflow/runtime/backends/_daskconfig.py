"""How ``DaskExecutionBackend`` configures Dask: cluster defaults and submit options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import TaskDescriptionError
from .base import TaskSpec
from .local import RESOURCE_KEYS

LOOPBACK_ANY_PORT = "127.0.0.1:0"
#: what ``client.submit`` takes from a ``task_description``
SUBMIT_KEYS = frozenset({"resources", "retries", "workers", "priority"})
#: every key the backend accepts: the portable Radical.Pilot resource keys
#: (``ranks``, ``cores_per_rank``, ...) are accepted and ignored, as on the
#: local backend, so HPC workflows run unchanged on a Dask cluster
DESCRIPTION_KEYS = SUBMIT_KEYS | RESOURCE_KEYS


def cluster_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """Worker processes, loopback only and no dashboard unless the options say otherwise.

    With ``dashboard_address=None`` Dask still starts HTTP servers (health and
    metrics routes): the scheduler's on port 8787 of every interface, and with
    ``processes=False`` the workers' too.  Pin them to 127.0.0.1, any port.
    """
    out = {"processes": True, "dashboard_address": None, **options}
    if out["processes"]:
        out.setdefault("host", "127.0.0.1")
    else:
        out.setdefault("worker_dashboard_address", LOOPBACK_ANY_PORT)
    if out["dashboard_address"] is None:
        out["scheduler_kwargs"] = {"dashboard": False, "dashboard_address": LOOPBACK_ANY_PORT,
                                   **(out.get("scheduler_kwargs") or {})}
    return out


def submit_options(spec: TaskSpec) -> dict[str, Any]:
    """``task_description`` keys as ``client.submit`` keywords, validated."""
    desc = spec.description
    if not desc:
        return {}
    out: dict[str, Any] = {}
    for key, value in desc.items():
        check = _CHECKS.get(key)
        if check is None and key in RESOURCE_KEYS:
            continue
        if check is None or not check(value):
            raise TaskDescriptionError(
                f"task '{spec.name}': task_description[{key!r}] = {value!r} is not valid for "
                f"Dask ({_EXPECTED.get(key, 'unknown key')})")
        out[key] = value
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_CHECKS = {
    "resources": lambda v: isinstance(v, Mapping) and all(
        isinstance(k, str) and isinstance(n, int | float) and not isinstance(n, bool)
        for k, n in v.items()),
    "retries": lambda v: _is_int(v) and v >= 0,
    "workers": lambda v: isinstance(v, str) or (
        isinstance(v, list | tuple | set | frozenset) and all(isinstance(w, str) for w in v)),
    "priority": _is_int,
}
_EXPECTED = {
    "resources": "a dict of resource name to amount, e.g. {'GPU': 1}",
    "retries": "an int >= 0",
    "workers": "a worker address or host, or a list of them",
    "priority": "an int",
}
