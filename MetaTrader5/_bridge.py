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
import contextlib
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


class _Call:
    """One ``Bridge.call``: the coroutine, its task and a lock the loop releases when done.

    A plain ``threading.Lock`` is the lightest cross-thread waiter there is: the caller blocks
    in ``acquire`` and the loop's done-callback releases it, without the ``Condition`` and the
    future chaining of ``asyncio.run_coroutine_threadsafe`` (about half of the call's cost on
    top of the bare thread hop, docs/benchmarks.rst P4). The coroutine still runs as a real
    ``Task``, so ``asyncio.timeout``, ``current_task`` and cancellation behave as usual.
    """

    __slots__ = ("coro", "done", "error", "loop", "result", "stopped", "task")

    def __init__(self, coro: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop) -> None:
        self.coro = coro
        self.loop = loop
        self.done = threading.Lock()
        self.done.acquire()
        self.task: asyncio.Task[Any] | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.stopped = False

    def start(self) -> None:
        """Loop thread: run the coroutine as a task that reports back when it ends."""
        try:
            self.task = self.loop.create_task(self._run())
        except BaseException as exc:  # e.g. the loop is shutting down
            self.coro.close()
            self.error = exc
            self.done.release()

    async def _run(self) -> None:
        # Reporting from inside the task (rather than a done-callback) saves one loop
        # iteration: a coroutine that never suspends completes within the task's first step.
        try:
            self.result = await self.coro
        except asyncio.CancelledError:
            self.stopped = True
            raise
        except BaseException as exc:  # handed to the caller's thread unchanged
            self.error = exc
        finally:
            self.done.release()  # last: the caller may run the moment this returns

    def cancel(self) -> None:
        """Loop thread: cancel the task after the caller's timeout (start() ran before)."""
        if self.task is not None:
            self.task.cancel()

    def outcome(self) -> Any:
        """Caller thread, after ``done``: the result, or the coroutine's exception."""
        if self.stopped:
            raise BridgeClosedError("the call was cancelled because the bridge stopped")
        error, self.error = self.error, None
        if error is not None:
            raise error
        return self.result


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
        loop = self.loop()
        call = _Call(coro, loop)
        try:
            loop.call_soon_threadsafe(call.start)
        except RuntimeError:  # the loop closed between loop() and here (a racing stop())
            coro.close()
            raise BridgeClosedError("the bridge stopped") from None
        if not call.done.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            # A RuntimeError means the loop is gone: nothing runs behind the caller any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(call.cancel)
            # Wait for the cancellation to land so the caller never races a still-running call.
            if call.done.acquire(timeout=0.5) and call.error is not None:
                _log.debug("call failed while being cancelled after its timeout",
                           exc_info=call.error)  # fmt: skip
            raise BridgeTimeoutError(f"call did not complete within {timeout} s") from None
        result: _T = call.outcome()
        return result

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
