"""RAF602 set-iteration

What it does:
    Reports a loop or comprehension over a set (or a set-valued name) that creates tasks.

Why:
    Set order changes with PYTHONHASHSEED, so node ids and submission order would differ
    between runs; the compiler uses sorted order and warns.

Example::

    for name in {'a', 'b', 'c'}:
        process(name)

Use instead::

    for name in sorted({'a', 'b', 'c'}):
        process(name)
"""

CODE = "RAF602"
NAME = "set-iteration"
SEVERITY = "warning"
MESSAGE = 'iterating over a set creates tasks in an order that depends on hashing'
HINT = 'iterate over a sorted list: `for x in sorted(items)`'
BLOCKER = False
