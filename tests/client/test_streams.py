"""Push API: callback isolation, error handlers, iterators with bounded queues."""

from __future__ import annotations

import asyncio
from typing import Any

from MetaTrader5.client.streams import StreamHub


def test_raising_callback_is_isolated_and_reported() -> None:
    async def main() -> None:
        hub = StreamHub()
        seen: list[Any] = []
        reported: list[tuple[str, str]] = []

        def bad(event: Any) -> None:
            raise RuntimeError(f"boom {event}")

        def bad_handler(topic: str, exc: BaseException, fn: Any) -> None:
            raise ValueError("handler failure")

        hub.subscribe("tick", bad)
        hub.subscribe("tick", seen.append)
        hub.on_error(bad_handler)
        hub.on_error(lambda topic, exc, fn: reported.append((topic, str(exc))))
        for i in range(3):
            hub.publish("tick", i)
        assert seen == [0, 1, 2]
        assert hub.errors == 3
        assert hub.handler_errors == 3
        assert reported == [("tick", "boom 0"), ("tick", "boom 1"), ("tick", "boom 2")]

    asyncio.run(main())


def test_async_callback_failure_is_reported() -> None:
    async def main() -> None:
        hub = StreamHub()
        reported: list[str] = []
        got: list[int] = []

        async def bad(event: int) -> None:
            await asyncio.sleep(0)
            raise KeyError(event)

        async def good(event: int) -> None:
            got.append(event)

        hub.subscribe("trade", bad)
        hub.subscribe("trade", good)
        hub.on_error(lambda t, e, f: reported.append(t))
        hub.publish("trade", 7)
        await asyncio.sleep(0.01)
        assert got == [7]
        assert reported == ["trade"]
        assert hub.errors == 1
        await hub.close()

    asyncio.run(main())


def test_key_filter_and_cancel() -> None:
    async def main() -> None:
        hub = StreamHub()
        eur: list[int] = []
        every: list[int] = []
        sub = hub.subscribe("tick", eur.append, key="EURUSD")
        hub.subscribe("tick", every.append)
        hub.publish("tick", 1, key="EURUSD")
        hub.publish("tick", 2, key="GBPUSD")
        sub.cancel()
        sub.cancel()
        hub.publish("tick", 3, key="EURUSD")
        assert eur == [1]
        assert every == [1, 2, 3]
        assert hub.keys("tick") == {None}
        async with hub.subscribe("book", every.append) as s2:
            hub.publish("book", 4)
        assert not s2.active
        hub.publish("book", 5)
        assert every[-1] == 4

    asyncio.run(main())


def test_callback_cancelling_itself_during_dispatch() -> None:
    hub = StreamHub()
    got: list[str] = []
    subs: list[Any] = []

    def first(event: int) -> None:
        got.append("first")
        subs[1].cancel()

    subs.append(hub.subscribe("x", first))
    subs.append(hub.subscribe("x", lambda e: got.append("second")))
    hub.publish("x", 1)
    hub.publish("x", 2)
    assert got == ["first", "first"]


def test_iterator_bounded_queue_drops_oldest_and_ends_on_close() -> None:
    async def main() -> None:
        hub = StreamHub()
        stream = hub.stream("tick", maxsize=5)
        for i in range(12):
            hub.publish("tick", i)
        assert stream.dropped == 7
        assert stream.qsize() == 5
        received: list[int] = []

        async def consume() -> None:
            async for event in stream:
                received.append(event)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.01)
        await hub.close()
        await asyncio.wait_for(task, 1.0)
        assert received == [7, 8, 9, 10, 11]

    asyncio.run(main())


def test_iterator_cancel_wakes_blocked_consumer() -> None:
    async def main() -> None:
        hub = StreamHub()
        async with hub.stream("account", maxsize=1) as stream:
            task = asyncio.create_task(stream.__anext__())
            await asyncio.sleep(0.01)
        try:
            await asyncio.wait_for(task, 1.0)
            raise AssertionError("expected StopAsyncIteration")
        except StopAsyncIteration:
            pass

    asyncio.run(main())
