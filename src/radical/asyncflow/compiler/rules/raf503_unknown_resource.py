"""RAF503 unknown-resource

What it does:
    Reports a Radical.Pilot resource label (the ``resource`` of a
    ``RadicalExecutionBackend({...})`` literal, or ``--resource``) that is not in
    RP's resource catalogue (``radical/pilot/configs/resource_<site>.json``),
    with the closest label as a hint.

Why:
    RP only finds out when the pilot is submitted, after the workflow started.

Example::

    RadicalExecutionBackend({'resource': 'tacc.fronterra', 'nodes': 2})

Use instead::

    RadicalExecutionBackend({'resource': 'tacc.frontera', 'nodes': 2})
"""

CODE = "RAF503"
NAME = "unknown-resource"
SEVERITY = "error"
MESSAGE = "unknown Radical.Pilot resource '{label}'{suggestion}"
HINT = "`radical-pilot-resources` lists the labels; or describe the machine with --machine FILE"
BLOCKER = False
