"""RAF104 not-a-file

What it does:
    Reports a path that is not a readable regular file: missing, a directory, a FIFO, a
    device, a symlink loop, or unreadable.

Why:
    Reading a FIFO or a device could block forever; the compiler checks the file type before
    it opens anything.

Example::

    raf check /dev/zero

Use instead::

    raf check workflows/ensemble.py
"""

CODE = "RAF104"
NAME = "not-a-file"
SEVERITY = "error"
MESSAGE = 'cannot read {path}: {detail}'
HINT = 'pass the path of a regular, readable .py file'
BLOCKER = True
