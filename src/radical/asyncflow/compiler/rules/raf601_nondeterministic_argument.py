"""RAF601 nondeterministic-argument

What it does:
    Reports calls such as `time.time()`, `datetime.now()`, `uuid.uuid4()`,
    `random.random()`, `os.getpid()`, `id()` or `hash()` whose value flows into a task's
    arguments.

Why:
    Plans are meant to be byte-identical and resumable; such arguments change every run and
    defeat caching and resume.

Example::

    simulate(seed=random.randint(0, 2**31))

Use instead::

    SEED = 42
    simulate(seed=SEED)
"""

CODE = "RAF601"
NAME = "nondeterministic-argument"
SEVERITY = "warning"
MESSAGE = '{what} gives a different value on every run; the plan cannot be reproduced'
HINT = 'compute the value inside the task, or pass a fixed seed / timestamp from the command line'
BLOCKER = False
