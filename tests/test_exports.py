"""The public surface: every public name exported once, importable, documented."""

from __future__ import annotations

import importlib

import radical.asyncflow as raf
from radical.asyncflow import errors


def test_every_public_name_is_exported_and_importable():
    assert len(raf.__all__) == len(set(raf.__all__))
    for name in raf.__all__:
        assert getattr(raf, name) is not None, name


def test_seed_era_and_compat_names():
    from radical.asyncflow import (
        ConcurrentExecutionBackend,
        DaskExecutionBackend,
        LocalExecutionBackend,
        RadicalExecutionBackend,
        ThreadExecutionBackend,
    )
    from radical.asyncflow.errors import DependencyFailureError

    assert ConcurrentExecutionBackend is LocalExecutionBackend
    assert isinstance(ThreadExecutionBackend({"max_workers": 2}), LocalExecutionBackend)
    assert DaskExecutionBackend.__name__ == "DaskExecutionBackend"
    assert RadicalExecutionBackend.__name__ == "RadicalExecutionBackend"
    assert issubclass(DependencyFailureError, errors.TaskError)


def test_error_tree_is_documented_and_complete():
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.AsyncFlowError), name
        assert name in errors.__doc__, f"{name} missing from the tree in errors.py"
        assert cls.__doc__, name


def test_importing_the_package_does_not_import_heavy_backends():
    import subprocess
    import sys

    code = ("import sys, radical.asyncflow; "
            "print(any(m.startswith(('distributed', 'radical.pilot')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_modules_import_cleanly():
    for module in ("radical.asyncflow.runtime.engine", "radical.asyncflow.runtime.backends",
                   "radical.asyncflow.errors"):
        importlib.import_module(module)
