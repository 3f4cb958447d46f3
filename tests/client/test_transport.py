"""Transport over a real loopback socket: bootstrap, FIFO correlation, races, heartbeat, close."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import pytest

from MetaTrader5.client.errors import (
    ConnectionClosedError,
    ConnectionLostError,
    NotConnectedError,
    RequestTimeoutError,
    ServerError,
)
from MetaTrader5.client.transport import Transport
from MetaTrader5.protocol.exceptions import BootstrapRejectedError

from .wire_server import WireServer


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_bootstrap_request_and_origin() -> None:
    async def main() -> None:
        async with WireServer(key_length=32) as server:
            server.handlers[9] = lambda p: (0, b"groups")
            t = Transport(server.url, origin="https://web.example")
            await t.open()
            assert t.ready and len(t.token) == 64
            assert bytes(await t.request(9)) == b"groups"
            assert server.tokens == [bytes(64)]
            assert server.origins == ["https://web.example"]
            assert t.pending_count == 0
            await t.close()
            assert t.state == "closed"
            with pytest.raises(ConnectionClosedError):
                await t.request(9)

    run(main())


def test_one_request_in_flight_per_id_fifo() -> None:
    async def main() -> None:
        async with WireServer() as server:
            outstanding = 0
            peak = 0

            def slow_echo(payload: bytes) -> None:
                nonlocal outstanding, peak
                outstanding += 1
                peak = max(peak, outstanding)

                async def answer() -> None:
                    nonlocal outstanding
                    await asyncio.sleep(0.01)
                    outstanding -= 1
                    await server.push(5, payload)

                asyncio.get_running_loop().create_task(answer())

            server.handlers[5] = slow_echo
            t = Transport(server.url)
            await t.open()
            payloads = [bytes([i]) * 8 for i in range(10)]
            answers = await asyncio.gather(*(t.request(5, p) for p in payloads))
            assert [bytes(a) for a in answers] == payloads
            assert peak == 1
            await t.close()

    run(main())


def test_different_ids_are_in_flight_together() -> None:
    async def main() -> float:
        async with WireServer() as server:

            def later(cmd: int) -> Any:
                def handler(payload: bytes) -> None:
                    async def answer() -> None:
                        await asyncio.sleep(0.2)
                        await server.push(cmd, b"x")

                    asyncio.get_running_loop().create_task(answer())

                return handler

            for cmd in (3, 4, 6, 9):
                server.handlers[cmd] = later(cmd)
            t = Transport(server.url)
            await t.open()
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.gather(*(t.request(c) for c in (3, 4, 6, 9)))
            elapsed = loop.time() - start
            await t.close()
            return elapsed

    assert run(main()) < 0.6  # sequential would be >= 0.8


def test_late_answer_of_a_timed_out_request_never_answers_the_next_one() -> None:
    async def main() -> None:
        async with WireServer() as server:
            answers = iter([b"first", b"second"])

            async def slow(payload: bytes) -> tuple[int, bytes]:
                body = next(answers)
                await asyncio.sleep(0.15 if body == b"first" else 0.0)
                return (0, body)

            server.handlers[44] = slow
            t = Transport(server.url)
            pushes: list[tuple[int, bytes]] = []
            t.on_push = lambda c, code, body: pushes.append((c, bytes(body)))
            await t.open()
            with pytest.raises(RequestTimeoutError) as info:
                await t.request(44, timeout=0.05)
            assert isinstance(info.value, TimeoutError) and info.value.command == 44
            assert t.pending_count == 0
            # spec 1.6: answers of one id come in order; the late "first" is an orphan.
            assert bytes(await t.request(44, timeout=2.0)) == b"second"
            assert pushes == [] and t.pending_count == 0
            await t.close()

    run(main())


def test_server_error_code() -> None:
    async def main() -> None:
        async with WireServer() as server:
            server.handlers[41] = lambda p: (2, b"")
            t = Transport(server.url)
            await t.open()
            with pytest.raises(ServerError) as info:
                await t.request(41)
            assert info.value.code == 2 and info.value.command == 41
            assert t.pending_count == 0
            await t.close()

    run(main())


def test_thousand_timeout_response_and_cancellation_races_leave_nothing() -> None:
    async def main() -> None:
        rng = random.Random(7)
        commands = [3, 4, 5, 6, 9, 11, 18, 20, 41, 44]
        async with WireServer() as server:

            def racing(cmd: int) -> Any:
                async def handler(payload: bytes) -> tuple[int, bytes] | None:
                    await asyncio.sleep(rng.uniform(0.0, 0.004))
                    return (0, payload)  # spec 1.6: every request answered, in order

                return handler

            for cmd in commands:
                server.handlers[cmd] = racing(cmd)
            t = Transport(server.url)
            t.on_push = lambda c, code, body: None
            await t.open()
            outcomes = {"ok": 0, "timeout": 0, "cancelled": 0}

            async def one(i: int) -> None:
                try:
                    limit = rng.choice((0.002, 0.004, 0.5))
                    payload = i.to_bytes(4, "little")
                    answer = await t.request(commands[i % 10], payload, timeout=limit)
                    # spec 1.6: a late answer of a timed-out request never answers this one
                    assert bytes(answer) == payload
                    outcomes["ok"] += 1
                except RequestTimeoutError:
                    outcomes["timeout"] += 1

            tasks = [asyncio.create_task(one(i)) for i in range(1000)]
            for _ in range(100):
                await asyncio.sleep(0.001)
                rng.choice(tasks).cancel()
            for task in tasks:
                try:
                    await task
                except asyncio.CancelledError:
                    outcomes["cancelled"] += 1
            assert sum(outcomes.values()) == 1000
            assert outcomes["timeout"] > 0 and outcomes["ok"] > 0
            assert t.pending_count == 0
            assert all(not lock.locked() for lock in t._locks.values())
            await t.close()
            assert t.pending_count == 0

    run(main())


def test_remote_close_racing_local_close_disconnects_exactly_once() -> None:
    async def main() -> None:
        async with WireServer() as server:
            for i in range(15):
                t = Transport(server.url)
                calls: list[BaseException] = []
                t.on_disconnect = calls.append
                await t.open()
                await asyncio.sleep(0)
                racers = [server.close_all(), t.close()]
                if i % 2:
                    racers.reverse()
                if i % 3 == 0:
                    racers.append(server.drop())
                await asyncio.gather(*racers)
                await t.wait_closed()
                await asyncio.sleep(0.01)
                await t.close()
                assert len(calls) == 1, calls
                assert t.state == "closed"

    run(main())


def test_drop_fails_pending_requests_with_connection_lost() -> None:
    async def main() -> None:
        async with WireServer() as server:
            server.handlers[3] = lambda p: None  # never answers
            t = Transport(server.url)
            reasons: list[BaseException] = []
            t.on_disconnect = reasons.append
            await t.open()
            req = asyncio.create_task(t.request(3))
            await asyncio.sleep(0.05)
            await server.drop()
            with pytest.raises(ConnectionLostError):
                await req
            assert t.pending_count == 0
            assert len(reasons) == 1 and isinstance(reasons[0], ConnectionLostError)
            with pytest.raises(ConnectionLostError):
                await t.request(3)
            await t.close()
            assert len(reasons) == 1

    run(main())


def test_heartbeat_expiry_closes_as_lost(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with WireServer() as server:
            t = Transport(server.url, ping_interval=0.03, ping_timeout=0.15)
            reasons: list[BaseException] = []
            t.on_disconnect = reasons.append
            await t.open()
            t.start_heartbeat()
            await asyncio.sleep(0.12)
            pings = [c for c, _ in server.received if c == 51]
            assert len(pings) >= 2
            assert t.health.last_ping_latency is not None
            server.handlers[51] = lambda p: None  # server stops answering pings
            await asyncio.wait_for(t.wait_closed(), 1.0)
            assert isinstance(reasons[0], ConnectionLostError)
            assert "heartbeat" in str(reasons[0])
            await t.close()

    with caplog.at_level(logging.WARNING, "MetaTrader5.client"):
        run(main())


def test_bootstrap_rejected_and_unreachable() -> None:
    async def main() -> None:
        async with WireServer() as server:
            server.bootstrap_code = 1
            t = Transport(server.url)
            with pytest.raises(BootstrapRejectedError):
                await t.open()
            assert t.state == "closed"
            url = server.url
        t2 = Transport(url, connect_timeout=1.0)
        with pytest.raises(NotConnectedError):
            await t2.open()
        with pytest.raises(ValueError):
            Transport("http://x/terminal")

    run(main())
