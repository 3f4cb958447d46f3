"""Client + session against the scripted terminal: login, OTP, secrets, pushes, reconnect."""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any

import pytest

from MetaTrader5.client import (
    AuthenticationError,
    Backoff,
    ConnectionClosedError,
    ConnectionLostError,
    NotConnectedError,
    OtpRequiredError,
    WebTerminalClient,
)
from MetaTrader5.records import Tick

from . import terminal_fixture as tf
from .wire_server import WireServer


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


def _client(url: str, **kw: Any) -> WebTerminalClient:
    kw.setdefault("login", tf.LOGIN)
    kw.setdefault("password", tf.PASSWORD)
    kw.setdefault("backoff", Backoff(base=0.02, cap=0.1, minimum=0.01))
    return WebTerminalClient(url, **kw)


def test_login_account_symbols_and_server_facts(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            server.handlers[3] = lambda p: (0, tf.account_block(build=9999, tz=10800, dst=1))
            async with WebTerminalClient.connect(
                server.url, login=tf.LOGIN, password=tf.PASSWORD
            ) as client:
                assert client.state == "ready"
                assert client.server_build == 9999
                assert client.server_offset_seconds == 10800 + 3600
                symbols = await client.market.load_symbols()
                assert {n: (e.symbol_id, e.digits) for n, e in symbols.items()} == {
                    "EURUSD": (1, 5), "GBPUSD": (2, 5), "USDJPY": (3, 3)
                }
                assert symbols["EURUSD"].path == "Forex\\EURUSD"
                await asyncio.sleep(0.05)
                assert client.trade_server_connected is True
                health = client.health()
                assert health.connected and health.server_build == 9999
            commands = [c for c, _ in server.received]
            assert commands[:4] == [28, 3, 6, 4]
            assert commands[-1] == 2  # logout before closing
            # session id of the login answer is remembered (sent again on re-login)
            assert client.state == "closed"

    with caplog.at_level(logging.DEBUG):
        run(main())
    warnings = [r for r in caplog.records if "newer than build" in r.getMessage()]
    assert len(warnings) == 1
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert tf.PASSWORD not in text


def test_bad_password_and_otp_flow() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            bad = _client(server.url, password="wrong")
            with pytest.raises(AuthenticationError) as info:
                await bad.open()
            assert info.value.code == 3
            assert "wrong" not in str(info.value) and "wrong" not in repr(bad)
            assert bad.state == "closed"
            with pytest.raises(OtpRequiredError) as otp_info:
                await _client(server.url, login=tf.OTP_LOGIN).open()
            assert otp_info.value.code == 5
            with pytest.raises(OtpRequiredError) as otp_bad:
                await _client(server.url, login=tf.OTP_LOGIN, otp="000000").open()
            assert otp_bad.value.code == 201
            good = _client(server.url, login=tf.OTP_LOGIN, otp=tf.OTP)
            await good.open()
            assert good.state == "ready"
            assert tf.OTP not in repr(good._credentials) and tf.PASSWORD not in repr(good)
            await good.close()
            assert good._credentials.cleared

    run(main())


def test_ticks_scaled_unchanged_zero_and_out_of_order() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            async with _client(server.url) as client:
                got: list[Tick] = []
                client.on_tick(got.append, "EURUSD")
                await client.symbol_select("EURUSD")
                sub = [p for c, p in server.received if c == 7][-1]
                assert sub == struct.pack("<II", 1, 1)
                await server.push(8, tf.tick(1, 1000, 5, 110012.0, 110015.0))
                await server.push(8, tf.tick(1, 1001, 0, 0.0, 110020.0))  # bid unchanged
                await server.push(8, tf.tick(1, 1000, 900, 1.0, 1.0))  # older: dropped
                await server.push(8, tf.tick(1, 1002, 0, 0, 0, fields=12, last=110030.0,
                                             volume=250_000_000))  # fmt: skip
                await asyncio.sleep(0.05)
                assert [(t.bid, t.ask, t.time_msc) for t in got] == [
                    (1.10012, 1.10015, 1000005),
                    (1.10012, 1.10020, 1001000),
                    (1.10012, 1.10020, 1002000),
                ]
                assert got[-1].last == 1.1003 and got[-1].volume_real == 2.5
                assert got[-1].volume == 2 and got[-1].flags == (12 << 1)
                history = client.tick_history("EURUSD")
                assert list(history["time_msc"]) == [1000005, 1001000, 1002000]
                tick = await client.symbol_info_tick("EURUSD")
                assert tick is not None and tick.ask == 1.1002
                await client.symbol_select("GBPUSD")
                assert [p for c, p in server.received if c == 7][-1] == struct.pack(
                    "<III", 2, 1, 2
                )
                assert client.market.ticks_dropped == 1

    run(main())


def test_book_delta_algorithm() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            async with _client(server.url) as client:
                books: list[Any] = []
                client.on_book(books.append, "EURUSD")
                await client.market_book_add("EURUSD")
                await server.push(23, tf.book(1, 2, [(1, 110020, 100_000_000),
                                                     (2, 110010, 300_000_000)]))  # fmt: skip
                await server.push(23, tf.book(1, 0, [(2, 110010, -100_000_000),
                                                     (1, 110025, 50_000_000)]))  # fmt: skip
                await server.push(23, tf.book(1, 0, [(1, 110020, 0)]))
                await asyncio.sleep(0.05)
                final = await client.market_book_get("EURUSD")
                assert [(b.type, b.price, b.volume_dbl) for b in final] == [
                    (1, 1.10025, 0.5), (2, 1.1001, 2.0)
                ]
                assert len(books) == 3
                await client.market_book_release("EURUSD")
                assert [p for c, p in server.received if c == 22][-1] == struct.pack("<I", 0)

    run(main())


def test_reconnect_after_server_drop_restores_subscriptions() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            client = _client(server.url)
            disconnects: list[BaseException] = []
            reconnects: list[int] = []
            client.on_disconnect(disconnects.append)
            client.on_reconnect(reconnects.append)
            await client.open()
            await client.symbol_select("GBPUSD")
            await client.market_book_add("EURUSD")
            server.received.clear()
            await server.drop()
            for _ in range(100):
                if reconnects:
                    break
                await asyncio.sleep(0.02)
            assert reconnects and client.state == "ready"
            assert len(disconnects) == 1 and isinstance(disconnects[0], ConnectionLostError)
            commands = [c for c, _ in server.received]
            assert commands[:2] == [28, 3]
            assert (7, struct.pack("<II", 1, 2)) in server.received
            assert (22, struct.pack("<II", 1, 1)) in server.received
            login_payload = next(p for c, p in server.received if c == 28)
            assert struct.unpack_from("<Q", login_payload, 904)[0] == 777  # session resumed
            assert len(server.tokens[-1]) == 64 and server.tokens[-1] != bytes(64)
            assert client.health().reconnect_count == 1
            got: list[Tick] = []
            client.on_tick(got.append)
            await server.push(8, tf.tick(2, 2000, 0, 127001.0, 127003.0))
            await asyncio.sleep(0.05)
            assert got and got[0].bid == 1.27001
            await client.close()
            # one event per connection: the lost one, then the one we closed
            assert len(disconnects) == 2
            assert isinstance(disconnects[1], ConnectionClosedError)

    run(main())


def test_no_reconnect_means_lost_and_requests_fail_fast() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            client = _client(server.url, reconnect=False)
            lost: list[BaseException] = []
            client.on_disconnect(lost.append)
            await client.open()
            await server.drop()
            await asyncio.sleep(0.1)
            assert client.state == "lost" and len(lost) == 1
            with pytest.raises(NotConnectedError):
                await client.refresh_account()
            await client.close()
            await client.close()

    run(main())


def test_two_accounts_in_one_loop_are_independent() -> None:
    async def main() -> None:
        async with WireServer() as s1, WireServer() as s2:
            tf.login_handler(s1)
            tf.login_handler(s2)
            s2.handlers[6] = lambda p: (0, tf.symbol_list([("XAUUSD", 9, 2)]))
            async with _client(s1.url) as a, _client(s2.url, name="second") as b:
                assert set(await a.market.load_symbols()) == {"EURUSD", "GBPUSD", "USDJPY"}
                assert set(await b.market.load_symbols()) == {"XAUUSD"}
                ta: list[Tick] = []
                tb: list[Tick] = []
                a.on_tick(ta.append)
                b.on_tick(tb.append)
                await a.symbol_select("EURUSD")
                await b.symbol_select("XAUUSD")
                await s1.push(8, tf.tick(1, 10, 0, 110000.0, 110002.0))
                await s2.push(8, tf.tick(9, 10, 0, 200012.0, 200050.0))
                await s2.drop()
                await asyncio.sleep(0.05)
                assert [t.bid for t in ta] == [1.1] and [t.bid for t in tb] == [2000.12]
                assert a.state == "ready"
                assert a.limiter is not b.limiter and a.hub is not b.hub

    run(main())
