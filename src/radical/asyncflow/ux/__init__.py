"""What ``raf show``, ``raf diff`` and ``raf report`` compute and draw (see docs/cli.md).

Modules: ``load`` (modules, plans, git revisions -> ``Subject``), ``critical``,
``image`` (Graphviz), ``diff`` + ``impact`` + ``diff_render``, ``runview`` +
``svg`` + ``report`` (the run report).  The commands in ``cli/`` import them.
"""
