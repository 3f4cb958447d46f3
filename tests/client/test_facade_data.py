"""The data surface of the facade against the real simulator (every data Session method)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from MetaTrader5 import _session
from MetaTrader5.client import (
    BookNotSubscribedError,
    NotFoundError,
    SymbolInUseError,
    SymbolNotFoundError,
    TickHistoryUnavailableError,
    WebTerminalClient,
)
from MetaTrader5.client import rates as rates_module
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE, SymbolInfo
from MetaTrader5.server.config import SimulatorConfig

from .proxy import FaultProxy
from .sim import client, request, run, simulator

H1, M1, D1 = 16385, 1, 16408


def test_facade_mirrors_the_session_seam() -> None:
    """contracts.md: one coroutine (or plain method) per Session method, same parameters."""
    plain = {"version", "terminal_info", "positions_total", "orders_total"}
    for name, member in inspect.getmembers(_session.Session, inspect.isfunction):
        if name.startswith("_") or name in ("listen", "server_time_offset", "login"):
            # module-layer extras served by on_<topic>() / server_offset_seconds; login()
            # switches account by opening a new client (the module layer does so)
            continue
        ours = getattr(WebTerminalClient, name)
        if name not in plain | {"close", "login"}:
            assert inspect.iscoroutinefunction(ours), name
        theirs = list(inspect.signature(member).parameters)
        mine = list(inspect.signature(ours).parameters)
        if name != "login":
            assert mine == theirs, name


def test_terminal_account_and_symbols() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            version = c.version()
            assert version[0] == 500 and version[1] > 0 and len(version[2].split()) == 3
            info = c.terminal_info()
            assert info.connected and info.trade_allowed and info.name == "mt5web"
            account = await c.account_info()
            assert account.login == 5000001 and account.trade_mode == 0  # demo (spec 4.6)
            assert account.balance == account.equity == account.margin_free == 100000.0
            assert account.currency == "USD" and account.leverage == 100
            total = await c.symbols_total()
            everything = await c.symbols_get()
            assert total == len(everything) > 50
            assert all(isinstance(s, SymbolInfo) and len(s) == 96 for s in everything)
            usd = await c.symbols_get("*USD*,!EUR*")
            names = {s.name for s in usd}
            assert "GBPUSD" in names and "EURUSD" not in names
            assert all("USD" in s.name or "USD" in s.path for s in usd)
            forex = await c.symbols_get("Forex*")
            assert forex and all(s.path.startswith("Forex") for s in forex)
            eurusd = await c.symbol_info("EURUSD")
            assert (eurusd.select, eurusd.visible) == (False, False)
            assert eurusd.volume_min == 0.01 and eurusd.digits == 5 and eurusd.point == 1e-05
            assert eurusd.currency_base == "EUR" and eurusd.currency_profit == "USD"
            await c.symbol_select("EURUSD", True)
            selected = await c.symbol_info("EURUSD")
            assert selected.select and selected.visible and selected.bid > 0
            assert selected.ask >= selected.bid and selected.spread >= 0
            tick = await c.symbol_info_tick("GBPUSD")  # subscribes and waits
            assert tick.bid > 0 and tick.time_msc // 1000 == tick.time
            with pytest.raises(SymbolNotFoundError):
                await c.symbol_info("NOPE")
            with pytest.raises(SymbolNotFoundError):
                await c.symbol_info_tick("NOPE")
            await c.symbol_select("EURUSD", False)
            assert not (await c.symbol_info("EURUSD")).select

    run(main())


def test_book_add_get_release() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            with pytest.raises(BookNotSubscribedError):
                await c.market_book_get("EURUSD")
            books: list[object] = []
            c.on_book(books.append, "EURUSD")
            await c.market_book_add("EURUSD")
            await c.wait_ticks("EURUSD")
            for _ in range(100):
                if await c.market_book_get("EURUSD"):
                    break
                await __import__("asyncio").sleep(0.02)
            book = await c.market_book_get("EURUSD")
            assert book and {b.type for b in book} <= {1, 2, 3, 4}
            sells = [b.price for b in book if b.type == 1]
            buys = [b.price for b in book if b.type == 2]
            assert sells and buys and min(sells) > max(buys)
            assert books
            await c.market_book_release("EURUSD")
            with pytest.raises(BookNotSubscribedError):
                await c.market_book_release("EURUSD")

    run(main())


def test_copy_rates_semantics_match_the_server() -> None:
    async def main() -> None:
        config = SimulatorConfig(sessions="realistic")
        async with simulator(config=config) as server, client(server.url) as c:
            market = server.context.market
            now = c.rates.server_now()
            # a Monday 01:30 server time: the 100 H1 bars before it span a weekend
            monday = now - now % (7 * 86400) + 4 * 86400 - 7 * 86400 + 5400
            bars = await c.copy_rates_from("EURUSD", H1, monday, 100)
            assert bars.dtype == RATES_DTYPE and len(bars) == 100
            assert bars["time"][-1] <= monday and np.all(np.diff(bars["time"]) > 0)
            reference = market.last_bars("EURUSD", H1, monday, 100)
            assert list(bars["time"]) == list(reference["time"])
            assert np.allclose(bars["close"], reference["close"])
            ranged = await c.copy_rates_range("EURUSD", H1, int(bars["time"][10]),
                                              int(bars["time"][20]))  # fmt: skip
            assert list(ranged["time"]) == list(bars["time"][10:21])
            latest = await c.copy_rates_from_pos("EURUSD", M1, 0, 30)
            older = await c.copy_rates_from_pos("EURUSD", M1, 10, 20)
            assert len(latest) == 30 and len(older) == 20
            assert abs(int(latest["time"][-1]) - (c.rates.server_now() // 60) * 60) <= 60
            # 10 bars back from the current one (the minute may roll over between the calls)
            assert int(older["time"][-1]) in (int(latest["time"][-11]), int(latest["time"][-10]))
            assert np.all(np.diff(older["time"]) == 60)
            days = await c.copy_rates_from("EURUSD", D1, now, 10)
            assert len(days) == 10 and np.all(days["time"] % 86400 == 0)
            assert len(await c.copy_rates_from("EURUSD", H1, now, 0)) == 0

    run(main(), 60)


def test_answers_of_several_fragments_decode_exactly() -> None:
    """Answers over 1 MiB arrive as WebSocket fragments, decrypted as they come
    (``client/_receive.py``); the result is the server's history, bar for bar."""

    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            now = c.rates.server_now()
            start, end = now - 40 * 86_400, now - 86_400
            got = await c.copy_rates_range("EURUSD", M1, start, end)
            reference = server.context.market.bars("EURUSD", M1, start, end)
            assert len(got) * 48 > 2 * 1024 * 1024  # at least three fragments on the wire
            assert np.array_equal(got["time"], reference["time"])
            assert np.allclose(got["close"], reference["close"])
            # the connection goes on with ordinary messages afterwards
            assert (await c.symbol_info_tick("EURUSD")) is not None

    run(main(), 60)


def test_copy_ticks_through_the_extension_pages_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rates_module, "_TICK_PAGE", 700)

    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            await c.wait_ticks("EURUSD")
            assert c._tick_history_available()
            now_ms = c.rates.server_now() * 1000
            start = now_ms - 3_600_000
            reference = server.context.market.ticks("EURUSD", start, now_ms - 60_000)
            got = await c.copy_ticks_range("EURUSD", start, now_ms - 60_000, -1)
            assert got.dtype == TICKS_DTYPE and len(got) == len(reference) > 700
            assert np.array_equal(got["time_msc"], reference["time_msc"])
            assert np.allclose(got["bid"], reference["bid"])
            first = await c.copy_ticks_from("EURUSD", start, 1500, -1)
            assert np.array_equal(first["time_msc"], reference["time_msc"][:1500])
            info = await c.copy_ticks_range("EURUSD", start, now_ms - 60_000, 1)
            assert np.all(info["flags"] & 6)
            trade = await c.copy_ticks_range("EURUSD", start, now_ms - 60_000, 2)
            assert np.all(trade["flags"] & 24)

    run(main(), 60)


def test_copy_ticks_without_the_extension_uses_the_stream() -> None:
    async def main() -> None:
        async with simulator() as server, FaultProxy(server.url) as proxy:
            proxy.plan = lambda d, cmd: "swallow" if cmd == 30001 else "pass"
            async with client(proxy.url) as c:
                await c.wait_ticks("EURUSD")
                assert not c._tick_history_available()
                now_ms = c.rates.server_now() * 1000
                with pytest.raises(TickHistoryUnavailableError) as info:
                    await c.copy_ticks_from("EURUSD", now_ms - 3_600_000, 10, -1)
                assert "first tick" in str(info.value)
                since = c.market.ticks.since_msc("EURUSD")
                assert since is not None
                got = await c.copy_ticks_range("EURUSD", since, now_ms + 60_000, -1)
                assert len(got) >= 1 and got["time_msc"][0] >= since

    run(main())


def test_history_and_not_found() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            deposits = await c.history_deals_get(0, 0)
            assert [d.type for d in deposits] == [2]  # the opening balance deal
            result = await c.order_send(request())
            assert result.retcode == 10009
            assert await c.history_orders_total(0, 0) == 1
            assert await c.history_deals_total(0, 0) == 2
            orders = await c.history_orders_get(ticket=result.order)
            assert len(orders) == 1 and orders[0].state == 4  # filled
            deals = await c.history_deals_get(ticket=result.order)  # ticket = the ORDER
            assert [d.ticket for d in deals] == [result.deal]
            by_position = await c.history_deals_get(position=deals[0].position_id)
            assert [d.ticket for d in by_position] == [result.deal]
            assert await c.history_orders_get(ticket=999_999) == ()
            with pytest.raises(NotFoundError):
                await c.positions_get(ticket=999_999)
            with pytest.raises(NotFoundError):
                await c.orders_get(ticket=999_999)
            with pytest.raises(SymbolInUseError):
                await c.symbol_select("EURUSD", False)

    run(main())
