"""RAF301 block-cycle

What it does:
    Reports blocks that call each other recursively (`a -> b -> a`), with one note per call
    in the cycle.

Why:
    Each call creates a new block that waits for the next one: the workflow never finishes.

Example::

    @flow.block
    async def a(x):
        return await b(x)
    @flow.block
    async def b(x):
        return await a(x)

Use instead::

    @flow.block
    async def a(x):
        return await b(x)
    @flow.block
    async def b(x):
        return await step(x)
"""

CODE = "RAF301"
NAME = "block-cycle"
SEVERITY = "error"
MESSAGE = 'blocks call each other in a cycle: {cycle}'
HINT = 'break the cycle; a block cannot (directly or indirectly) call itself'
BLOCKER = False
