"""The push API: callbacks and async iterators over the client's event streams.

A :class:`StreamHub` fans each event out to the callbacks and iterators of its topic
("tick", "book", "trade", "account", "symbol", "trade_result", "server_state", "connection",
"degraded", ...). Rules:

* A callback that raises is logged, counted (``errors``) and reported to every error handler;
  it never stops the other callbacks, the dispatch loop or the connection. An error handler
  that raises is logged and counted too, and does not stop the other handlers.
* A callback may be a coroutine function: its coroutine runs as its own task, and a failure
  is handled exactly like a synchronous one.
* An async iterator has a bounded queue; when it is full the *oldest* event is dropped and
  counted (``dropped``), so a slow consumer never grows memory or blocks dispatch.
* A :class:`Subscription` is cancelled with ``cancel()`` or by leaving its ``async with``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = ["ErrorHandler", "EventStream", "StreamHub", "Subscription"]

_log = logging.getLogger("MetaTrader5.client")

#: An error handler receives (topic, exception, the failing callback).
ErrorHandler = Callable[[str, BaseException, Callable[..., Any]], Any]

_END = object()


class Subscription:
    """Handle of one callback or iterator registration."""

    def __init__(self, hub: StreamHub, topic: str, key: object | None) -> None:
        self._hub = hub
        self.topic = topic
        self.key = key
        self.active = True
        #: the callback of a callback subscription; None for an iterator (EventStream)
        self.fn: Callable[..., Any] | None = None

    def cancel(self) -> None:
        """Stop delivering events to this subscriber (idempotent)."""
        if self.active:
            self.active = False
            self._hub._remove(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cancel()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def __repr__(self) -> str:
        state = "active" if self.active else "cancelled"
        return f"<Subscription {self.topic} key={self.key!r} {state}>"


class _Callback(Subscription):
    def __init__(
        self, hub: StreamHub, topic: str, key: object | None, fn: Callable[..., Any]
    ) -> None:
        super().__init__(hub, topic, key)
        self.fn: Callable[..., Any] = fn


class EventStream(Subscription):
    """An async iterator over one topic with a bounded queue (drops the oldest on overflow)."""

    def __init__(self, hub: StreamHub, topic: str, key: object | None, maxsize: int) -> None:
        super().__init__(hub, topic, key)
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max(1, maxsize))
        self.dropped = 0

    def _put(self, event: Any) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    def cancel(self) -> None:
        if self.active:
            super().cancel()
            # Wake a consumer blocked in __anext__ so it finishes instead of hanging.
            if self._queue.full():
                self._queue.get_nowait()
            self._queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        if not self.active and self._queue.empty():
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is _END:
            raise StopAsyncIteration
        return event

    async def __aenter__(self) -> EventStream:
        return self

    def qsize(self) -> int:
        return self._queue.qsize()


class StreamHub:
    """Registry of subscribers per topic and the isolated dispatcher."""

    def __init__(self, name: str = "client") -> None:
        self.name = name
        self._subs: dict[str, list[Subscription]] = defaultdict(list)
        self._ready: dict[str, tuple[Subscription, ...]] = {}
        self._error_handlers: list[ErrorHandler] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        self.errors = 0
        self.handler_errors = 0
        self.delivered = 0
        self.closed = False

    # --- registration --------------------------------------------------------------------

    def subscribe(
        self, topic: str, callback: Callable[..., Any], key: object | None = None
    ) -> Subscription:
        """Call ``callback(event)`` for every event of ``topic`` (and ``key``, when given)."""
        sub = _Callback(self, topic, key, callback)
        self._subs[topic].append(sub)
        self._ready[topic] = tuple(self._subs[topic])
        return sub

    def stream(self, topic: str, key: object | None = None, maxsize: int = 1000) -> EventStream:
        """An async iterator over ``topic`` events; ends when cancelled or the hub closes."""
        sub = EventStream(self, topic, key, maxsize)
        if self.closed:
            sub.cancel()
        else:
            self._subs[topic].append(sub)
            self._ready[topic] = tuple(self._subs[topic])
        return sub

    def on_error(self, handler: ErrorHandler) -> Subscription:
        """Register ``handler(topic, exc, callback)`` for failing callbacks."""
        self._error_handlers.append(handler)
        hub = self

        class _ErrorSub(Subscription):
            def cancel(self) -> None:
                if self.active:
                    self.active = False
                    if handler in hub._error_handlers:
                        hub._error_handlers.remove(handler)

        return _ErrorSub(self, "error", None)

    def _remove(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.topic)
        if subs is not None and sub in subs:
            subs.remove(sub)
            self._ready[sub.topic] = tuple(subs)
            if not subs:
                del self._subs[sub.topic]
                del self._ready[sub.topic]

    def has_subscribers(self, topic: str) -> bool:
        return bool(self._subs.get(topic))

    def keys(self, topic: str) -> set[object]:
        """The keys subscribers of ``topic`` filter on (None = all) - e.g. wanted symbols."""
        return {s.key for s in self._subs.get(topic, ())}

    # --- dispatch --------------------------------------------------------------------------

    def publish(self, topic: str, event: Any, key: object | None = None) -> None:
        """Deliver ``event`` to every matching subscriber; never raises."""
        # A ready tuple per topic, rebuilt on (un)subscribe: a callback may cancel
        # subscriptions while we iterate, and the hot path (one call per tick) copies nothing.
        subs = self._ready.get(topic)
        if not subs:
            return
        for sub in subs:
            if not sub.active or (sub.key is not None and sub.key != key):
                continue
            self.delivered += 1
            fn = sub.fn
            if fn is None:  # only iterators have no callback
                sub._put(event)  # type: ignore[attr-defined]
                continue
            try:
                result = fn(event)
            except Exception as exc:
                self._report(sub.topic, exc, fn)
                continue
            # Most callbacks return None: skip the (ABC) awaitable check for them.
            if result is not None and inspect.isawaitable(result):
                self._track(sub, result)  # type: ignore[arg-type]

    def _call(self, sub: _Callback, event: Any) -> None:
        try:
            result = sub.fn(event)
        except Exception as exc:
            self._report(sub.topic, exc, sub.fn)
            return
        if result is not None and inspect.isawaitable(result):
            self._track(sub, result)

    def _track(self, sub: _Callback, result: Any) -> None:
        task = asyncio.ensure_future(result)
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._task_done, sub=sub))

    def _task_done(self, task: asyncio.Future[Any], sub: _Callback) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._report(sub.topic, exc, sub.fn)

    def _report(self, topic: str, exc: BaseException, fn: Callable[..., Any]) -> None:
        self.errors += 1
        _log.error("%s: %s callback %r raised", self.name, topic, fn, exc_info=exc)
        for handler in tuple(self._error_handlers):
            try:
                result = handler(topic, exc, fn)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._handler_task_done)
            except Exception:
                self.handler_errors += 1
                _log.exception("%s: error handler %r raised", self.name, handler)

    def _handler_task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.handler_errors += 1
            _log.error("%s: async error handler raised", self.name, exc_info=task.exception())

    async def close(self) -> None:
        """End every iterator, drop every callback and wait for running async callbacks."""
        self.closed = True
        for subs in list(self._subs.values()):
            for sub in tuple(subs):
                sub.cancel()
        self._subs.clear()
        self._ready.clear()
        tasks = tuple(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
