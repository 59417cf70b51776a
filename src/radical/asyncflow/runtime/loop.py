"""An asyncio event loop on a background thread, for the sync style."""

from __future__ import annotations

import asyncio
import threading


class LoopThread:
    """Runs a fresh event loop in a daemon thread until :meth:`stop`."""

    def __init__(self, name: str = "radical.asyncflow") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            self._close()

    def _close(self) -> None:
        loop = self.loop
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    @property
    def ident(self) -> int | None:
        return self.thread.ident

    def stop(self) -> None:
        """Stop the loop and wait for the thread (never call from the thread itself)."""
        if self.loop.is_closed():
            return
        try:
            self.loop.call_soon_threadsafe(self.loop.stop)
        except RuntimeError:
            return
        if threading.current_thread() is not self.thread:
            self.thread.join()
