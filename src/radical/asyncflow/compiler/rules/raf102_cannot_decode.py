"""RAF102 cannot-decode

What it does:
    Reports a file that is not text in its declared encoding: invalid UTF-8, NUL bytes, an
    unknown coding cookie.

Why:
    Python refuses such files, and guessing an encoding could show a different program than
    the one that runs.

Example::

    # a file with the bytes b'x = "\xff"' (invalid UTF-8)

Use instead::

    # the same file saved as UTF-8: x = "ÿ"
"""

CODE = "RAF102"
NAME = "cannot-decode"
SEVERITY = "error"
MESSAGE = 'cannot decode the module: {detail}'
HINT = (
    'save the file as UTF-8 (or declare its encoding with a `# -*- coding: ... -*-` '
    'line) and remove NUL bytes'
)
BLOCKER = True
