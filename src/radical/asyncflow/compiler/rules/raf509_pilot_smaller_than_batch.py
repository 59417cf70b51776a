"""RAF509 pilot-smaller-than-batch

What it does:
    Reports a pilot (``RadicalExecutionBackend({...})`` with ``nodes`` or
    ``cores``) with fewer cores than the widest topological batch of the
    workflow needs: the batch's executable tasks plus, when there are
    function tasks, the RAPTOR master (1 core) and its workers.

Why:
    Tasks that could run side by side wait for each other, so the run takes
    longer than the pilot's walltime may allow.  A warning: it still runs.

Example::

    RadicalExecutionBackend({'resource': 'tacc.frontera', 'nodes': 1})
    # ... 4 independent tasks of 28 cores each

Use instead::

    RadicalExecutionBackend({'resource': 'tacc.frontera', 'nodes': 2})
"""

CODE = "RAF509"
NAME = "pilot-smaller-than-batch"
SEVERITY = "warning"
MESSAGE = ("the pilot has {have} cores but the widest batch needs {need} "
           "({raptor} of them for RAPTOR): {nodes} node(s) would run it at once")
HINT = "raise nodes/cores in the PilotDescription, or leave them out and let `raf compile` size it"
BLOCKER = False
