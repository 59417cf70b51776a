"""RAF305 blocking-result

What it does:
    Reports `.result()` on a task future inside an `async def` (a block or an async main).

Why:
    The coroutine runs on the event loop the engine needs to finish that task: the call
    raises BlockingCallError (or would deadlock).

Example::

    @flow.block
    async def stage(x):
        return analyse(x).result()

Use instead::

    @flow.block
    async def stage(x):
        return await analyse(x)
"""

CODE = "RAF305"
NAME = "blocking-result"
SEVERITY = "warning"
MESSAGE = "'.result()' blocks inside the coroutine '{function}'"
HINT = 'use `await fut` inside `async def`; `.result()` belongs to sync-style code'
BLOCKER = False
