"""The sync bridge: one daemon thread per process owns the asyncio loop of every session.

Synchronous callers (module functions, ``Terminal`` methods) hand a coroutine to
:meth:`Bridge.call`, which runs it on the bridge loop and waits at most ``timeout`` seconds.
Because the loop lives in its own thread, calls work the same from plain scripts, from many
threads at once, from a Jupyter cell and from code that is itself running inside another event
loop (that loop is merely blocked for the duration of the call, as any sync call blocks it).

Errors::

    BridgeError
     +-- BridgeTimeoutError   the call did not finish in time (the coroutine is cancelled)
     +-- BridgeClosedError    the bridge was stopped, or the call came from the bridge thread
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["Bridge", "BridgeClosedError", "BridgeError", "BridgeTimeoutError", "default_bridge"]

_T = TypeVar("_T")
_log = logging.getLogger("MetaTrader5.bridge")

#: How long interpreter exit waits for sessions to close before abandoning the daemon thread.
_EXIT_GRACE_SECONDS = 2.0


class BridgeError(Exception):
    """Base of the bridge's own failures (never raised for remote errors)."""


class BridgeTimeoutError(BridgeError, TimeoutError):
    """The coroutine did not complete within the caller's timeout and was cancelled."""


class BridgeClosedError(BridgeError):
    """The bridge is stopped, or a call would deadlock (issued from the bridge thread)."""


class Bridge:
    """Runs coroutines on a private event loop in a daemon thread, started on first use."""

    def __init__(self, name: str = "mt5web-bridge") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def loop(self) -> asyncio.AbstractEventLoop:
        """The bridge loop, starting the thread if needed."""
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                return self._start_locked()
            return self._loop

    def _start_locked(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                loop.close()

        thread = threading.Thread(target=run, name=self._name, daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread
        return loop

    def in_bridge_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def call(self, coro: Coroutine[Any, Any, _T], timeout: float | None) -> _T:
        """Run ``coro`` on the bridge loop and return its result.

        Raises:
            BridgeTimeoutError: not done within ``timeout`` seconds; the coroutine is cancelled
                and its cancellation awaited briefly, so nothing keeps running behind the caller.
            BridgeClosedError: called from the bridge thread itself (it would deadlock).
            Exception: whatever the coroutine raised, unchanged.
        """
        if self.in_bridge_thread():
            coro.close()
            raise BridgeClosedError("a blocking call was made from the bridge thread itself")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            # Wait for the cancellation to land so the caller never races a still-running call.
            try:
                future.result(0.5)
            except (concurrent.futures.CancelledError, concurrent.futures.TimeoutError):
                pass
            except Exception:  # the coroutine failed while being cancelled: already reported
                _log.debug("call failed while being cancelled after its timeout", exc_info=True)
            raise BridgeTimeoutError(f"call did not complete within {timeout} s") from None
        except concurrent.futures.CancelledError:
            raise BridgeClosedError("the call was cancelled because the bridge stopped") from None

    def stop(self, timeout: float = _EXIT_GRACE_SECONDS) -> None:
        """Cancel every task on the loop, stop it and join the thread (idempotent)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or not thread.is_alive():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=timeout)

        if threading.current_thread() is not thread:
            try:
                asyncio.run_coroutine_threadsafe(cancel_all(), loop).result(timeout + 0.5)
            except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
                _log.warning("bridge tasks did not finish within %.1f s of stop()", timeout)
        loop.call_soon_threadsafe(loop.stop)
        if threading.current_thread() is not thread:
            thread.join(timeout)


_default_bridge = Bridge()


def default_bridge() -> Bridge:
    """The process-wide bridge used by module functions and ``Terminal`` objects."""
    return _default_bridge


@atexit.register
def _stop_at_exit() -> None:
    _default_bridge.stop()
