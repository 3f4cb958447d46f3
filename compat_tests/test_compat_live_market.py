"""API.md 2.3, 2.8, 2.9, 4, 5: every market-data function live, as the official behaves."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import ModuleType
from typing import Any

import numpy as np
import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

RATES_FIELDS = ["time", "open", "high", "low", "close", "tick_volume", "spread", "real_volume"]
TICKS_FIELDS = ["time", "bid", "ask", "last", "volume", "time_msc", "flags", "volume_real"]
SUCCESS = (1, "Success")


def _types(record: Any, pattern: str) -> None:
    """Check field types against a pattern: b bool, i int, f float, s str."""
    kinds = {"b": bool, "i": int, "f": float, "s": str}
    assert len(record) == len(pattern)
    for value, kind in zip(record, pattern, strict=True):
        assert type(value) is kinds[kind], (record, value, kind)


@compat("function:initialize", "errors")
@compat(
    "function:version",
    note="the build is the trade server's; the date is the Web Terminal build's",
)
def test_initialize_version_and_last_error(live: ModuleType) -> None:
    assert live.last_error() == SUCCESS
    version = live.version()
    assert type(version) is tuple and len(version) == 3
    assert version[0] == 500 and type(version[1]) is int and version[1] > 0
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", version[2]), version
    assert live.last_error() == SUCCESS


@compat("function:terminal_info", "fields:TerminalInfo")
@compat(
    "fields:TerminalInfo.community_account,community_connection,community_balance,mqid",
    "fields:TerminalInfo.dlls_allowed,tradeapi_disabled,email_enabled,ftp_enabled",
    "fields:TerminalInfo.notifications_enabled,codepage,retransmission,data_path,commondata_path",
    status="neutral",
    note="no desktop terminal: False, 0, 0.0 or empty",
)
@compat(
    "fields:TerminalInfo.path",
    status="neutral",
    note="the endpoint URL",
)
@compat(
    "function:account_info",
    "fields:AccountInfo.profit,equity,margin,margin_free,margin_level",
    "fields:AccountInfo.margin_initial,margin_maintenance",
    status="computed",
    note="computed locally from positions, ticks and contract terms, as the Web Terminal does",
)
@compat("fields:AccountInfo")
@compat(
    "fields:AccountInfo.limit_orders,fifo_close,commission_blocked",
    status="neutral",
    note="no wire source: 0, False, 0.0",
)
@compat(
    "fields:AccountInfo.trade_expert",
    status="neutral",
    note="follows trade_allowed",
)
def test_terminal_and_account_info(live: ModuleType) -> None:
    terminal = live.terminal_info()
    assert type(terminal).__name__ == "TerminalInfo"
    _types(terminal, "bbbbbbbbbb" + "iiii" + "ff" + "ssssss")
    assert terminal.connected is True
    account = live.account_info()
    assert type(account).__name__ == "AccountInfo"
    _types(account, "iiiii" + "bb" + "ii" + "b" + "f" * 14 + "ssss")
    assert account.login > 0 and account.currency
    assert account.equity == pytest.approx(account.balance + account.credit + account.profit)


@compat(
    "function:symbols_total",
    "function:symbols_get",
    "fields:SymbolInfo",
)
def test_symbols_total_and_symbols_get_masks(live: ModuleType) -> None:
    total = live.symbols_total()
    everything = live.symbols_get()
    assert type(everything) is tuple and len(everything) == total > 0
    _types(everything[0], "bibb" + "i" * 9 + "b" + "i" * 10 + "b" + "i" * 6 + "f" * 52 + "s" * 13)
    names = {s.name for s in everything}
    usd = {s.name for s in live.symbols_get("*USD*")}
    assert usd == {n for n in names if "USD" in n}
    assert {s.name for s in live.symbols_get(group="*USD*")} == usd
    no_usd_eur = {s.name for s in live.symbols_get("*,!*USD*,!*EUR*")}
    assert no_usd_eur == {n for n in names if "USD" not in n and "EUR" not in n}
    assert live.symbols_get("NO_SUCH_SYMBOL_*") == ()
    assert live.last_error() == SUCCESS


@compat(
    "function:symbol_info",
    "function:symbol_select",
    "fields:SymbolInfo",
)
@compat(
    "fields:SymbolInfo.custom,bank,formula",
    status="neutral",
    note="no custom symbols over a Web Terminal: False, empty",
)
@compat(
    "fields:SymbolInfo.visible",
    status="neutral",
    note="equals select",
)
@compat(
    "fields:SymbolInfo.trade_tick_value_profit,trade_tick_value_loss",
    status="computed",
    note="tick value converted to the deposit currency with the trade math",
)
def test_symbol_info_and_select(live: ModuleType, symbol: str) -> None:
    assert live.symbol_select(symbol) is True  # enable omitted = select (API.md 9.3)
    info = live.symbol_info(symbol)
    assert type(info).__name__ == "SymbolInfo" and len(info) == 96
    assert info.name == symbol and info.select is True and info.visible is True
    assert info.point == pytest.approx(10.0**-info.digits)
    assert info.bid > 0 and info.ask >= info.bid
    assert info.volume_min > 0 and info.volume_step > 0
    assert live.symbol_info("NO_SUCH_SYM") is None
    assert live.last_error()[0] < 0
    assert live.symbol_select("NO_SUCH_SYM", True) is False
    assert live.last_error()[0] < 0


@compat("function:symbol_info_tick", "fields:Tick")
def test_symbol_info_tick_is_current(live: ModuleType, symbol: str) -> None:
    tick = live.symbol_info_tick(symbol)
    assert type(tick).__name__ == "Tick"
    _types(tick, "ifffiiif")
    assert tick.bid > 0 and tick.ask >= tick.bid
    assert tick.time_msc // 1000 == tick.time
    bar = live.copy_rates_from_pos(symbol, live.TIMEFRAME_M1, 0, 1)
    assert tick.time >= int(bar["time"][0]) - 60  # not older than the forming bar


@compat(
    "function:market_book_add",
    "function:market_book_get",
    "function:market_book_release",
    "fields:BookInfo",
)
def test_market_book(live: ModuleType, symbol: str) -> None:
    assert live.market_book_add(symbol) is True
    book: Any = ()
    deadline = time.monotonic() + 5
    while not book and time.monotonic() < deadline:
        book = live.market_book_get(symbol)
        assert book is not None, live.last_error()
        if not book:
            time.sleep(0.1)
    assert book, "no depth of market within 5 s"
    _types(book[0], "ifif")
    assert {entry.type for entry in book} <= {1, 2, 3, 4}
    assert live.market_book_release(symbol) is True
    assert live.last_error() == SUCCESS


def _rates_ok(rates: Any, count: int | None = None) -> None:
    assert isinstance(rates, np.ndarray) and rates.ndim == 1
    assert list(rates.dtype.names) == RATES_FIELDS and rates.dtype.itemsize == 60
    assert rates.flags.writeable and rates.flags.owndata
    if count is not None:
        assert len(rates) == count
    assert np.all(np.diff(rates["time"]) > 0)  # oldest first
    assert np.all(rates["high"] >= rates["low"])


@compat("function:copy_rates_from_pos", "dtype:rates")
@compat(
    "dtype:rates.spread",
    status="neutral",
    note="0: bars carry no spread on the wire",
)
def test_copy_rates_from_pos(live: ModuleType, symbol: str) -> None:
    for _ in range(3):  # a new bar may open between the two calls: retry
        latest = live.copy_rates_from_pos(symbol, live.TIMEFRAME_M1, 0, 11)
        older = live.copy_rates_from_pos(symbol, live.TIMEFRAME_M1, 1, 10)
        if latest[-1]["time"] == live.copy_rates_from_pos(symbol, live.TIMEFRAME_M1, 0, 1)[0][0]:
            break
    _rates_ok(latest, 11)
    _rates_ok(older, 10)
    assert np.array_equal(older["time"], latest["time"][:-1])
    h1 = live.copy_rates_from_pos(symbol, live.TIMEFRAME_H1, 0, 5)
    _rates_ok(h1, 5)
    assert np.all(h1["time"] % 3600 == 0)


@compat("function:copy_rates_from", "function:copy_rates_range")
def test_copy_rates_from_and_range_dates(live: ModuleType, symbol: str) -> None:
    reference = int(live.copy_rates_from_pos(symbol, live.TIMEFRAME_H1, 10, 1)["time"][0])
    rates = live.copy_rates_from(symbol, live.TIMEFRAME_H1, reference + 1800, 5)
    _rates_ok(rates, 5)
    assert int(rates["time"][-1]) == reference  # open time <= date_from, newest last
    aware = dt.datetime.fromtimestamp(reference, dt.UTC)
    same = live.copy_rates_from(symbol, live.TIMEFRAME_H1, aware, 5)
    assert np.array_equal(same, rates)
    as_float = live.copy_rates_from(symbol, live.TIMEFRAME_H1, reference + 0.9, 5)
    assert np.array_equal(as_float["time"], rates["time"])
    start, end = int(rates["time"][0]), int(rates["time"][-1])
    ranged = live.copy_rates_range(symbol, live.TIMEFRAME_H1, start, end)
    _rates_ok(ranged)
    assert np.array_equal(ranged["time"], rates["time"])  # both ends included


@compat(
    "function:copy_ticks_from",
    "function:copy_ticks_range",
    note="full history on the simulator (extension); on a broker only the ticks streamed "
    "since the symbol was subscribed, earlier requests fail with last_error -1",
)
@compat("dtype:ticks")
def test_copy_ticks(live: ModuleType, symbol: str) -> None:
    start = int(live.copy_rates_from_pos(symbol, live.TIMEFRAME_M1, 3, 1)["time"][0])
    ticks = live.copy_ticks_from(symbol, start, 50, live.COPY_TICKS_ALL)
    assert isinstance(ticks, np.ndarray)
    assert list(ticks.dtype.names) == TICKS_FIELDS and ticks.dtype.itemsize == 60
    assert 0 < len(ticks) <= 50
    assert int(ticks["time_msc"][0]) >= start * 1000
    assert np.all(np.diff(ticks["time_msc"]) >= 0)
    assert np.array_equal(ticks["time"], ticks["time_msc"] // 1000)
    end = start + 60
    info = live.copy_ticks_range(symbol, start, end, live.COPY_TICKS_INFO)
    assert len(info) > 0
    assert np.all((info["time_msc"] >= start * 1000) & (info["time_msc"] <= end * 1000))
    assert np.all(info["flags"] & (live.TICK_FLAG_BID | live.TICK_FLAG_ASK))


@compat("function:copy_rates_from")
@pytest.mark.parametrize("bad", [np.int64(1_700_000_000), "2023-01-01", dt.date(2023, 1, 1)])
def test_unsupported_date_types_fail(live: ModuleType, symbol: str, bad: Any) -> None:
    assert live.copy_rates_from(symbol, live.TIMEFRAME_M1, bad, 10) is None
    assert live.last_error() == (-2, "Invalid arguments")


@compat(
    "function:order_calc_margin",
    "function:order_calc_profit",
    status="computed",
    note="computed locally with the trade math: the protocol has no such request",
)
def test_order_calc_margin_and_profit(live: ModuleType, symbol: str) -> None:
    tick = live.symbol_info_tick(symbol)
    info = live.symbol_info(symbol)
    margin = live.order_calc_margin(live.ORDER_TYPE_BUY, symbol, 1.0, tick.ask)
    assert type(margin) is float and margin > 0
    assert live.order_calc_margin(live.ORDER_TYPE_BUY, symbol, 2, tick.ask) == pytest.approx(
        2 * margin, rel=1e-6
    )
    up = tick.ask + 100 * info.point
    profit = live.order_calc_profit(live.ORDER_TYPE_BUY, symbol, 1.0, tick.ask, up)
    assert type(profit) is float and profit > 0
    loss = live.order_calc_profit(live.ORDER_TYPE_SELL, symbol, 1.0, tick.ask, up)
    assert loss == pytest.approx(-profit, rel=1e-6)
    assert live.order_calc_margin(live.ORDER_TYPE_BUY, "NO_SUCH_SYM", 1.0, 1.0) is None
    assert live.last_error()[0] < 0


@compat("function:symbol_select", "function:symbols_get")
def test_market_watch_selection(live: ModuleType, symbol: str) -> None:
    other = next(s.name for s in live.symbols_get() if s.name != symbol and not s.custom)
    assert live.symbol_select(other, True) is True
    assert live.symbol_info(other).select is True
    assert other in {s.name for s in live.symbols_get() if s.select}
    assert live.symbol_select(other, False) is True
    assert other not in {s.name for s in live.symbols_get() if s.select}
    assert live.symbol_select(other) is True  # enable omitted = select again
    assert live.symbol_select(other, True) is True  # idempotent
    assert live.symbol_select(other, None) is True  # None is falsy: deselect (API.md 2.5)
    assert live.symbol_info(other) is None or live.symbol_info(other).select is False
