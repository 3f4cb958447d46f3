"""API.md 2.3-2.6 and 4: argument validation, texts, dates, request dicts."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import numpy as np
import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

INVALID = (-2, "Invalid arguments")


@compat("function:copy_rates_from", "function:history_deals_total")
@pytest.mark.parametrize(
    "date",
    [dt.date(2020, 1, 1), np.int64(1_600_000_000), np.datetime64("2020-01-01"), "2020-01-01", None],
)
def test_rejected_dates(mt5: ModuleType, date: object) -> None:
    assert mt5.copy_rates_from("EURUSD", mt5.TIMEFRAME_H1, date, 10) is None
    assert mt5.last_error() == INVALID
    assert mt5.history_deals_total(date, 1_600_000_000) is None
    assert mt5.last_error() == INVALID


@compat("function:copy_ticks_from")
@pytest.mark.parametrize(
    "date", [1_600_000_000, 1.6e9, np.float64(1.6e9), dt.datetime(2020, 1, 1, tzinfo=dt.UTC)]
)
def test_accepted_dates_reach_the_connection_check(mt5: ModuleType, date: object) -> None:
    assert mt5.copy_ticks_from("EURUSD", date, 10, mt5.COPY_TICKS_ALL) is None
    assert mt5.last_error() == (-10004, "No IPC connection")


@compat("function:history_orders_total")
def test_pandas_timestamp_is_a_datetime(mt5: ModuleType) -> None:
    pd = pytest.importorskip("pandas")
    assert mt5.history_orders_total(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-01")) is None
    assert mt5.last_error() == (-10004, "No IPC connection")


@compat("function:symbol_info", "function:copy_rates_from_pos", "function:market_book_add")
@pytest.mark.parametrize("symbol", [123, None, b"EURUSD", "X" * 30])
def test_bad_symbol(mt5: ModuleType, symbol: object) -> None:
    assert mt5.symbol_info(symbol) is None
    assert mt5.last_error() == INVALID
    assert mt5.copy_rates_from_pos(symbol, 16385, 0, 10) is None
    assert mt5.last_error() == INVALID
    assert mt5.market_book_add(symbol) is None
    assert mt5.last_error() == INVALID


@compat("function:symbol_info")
def test_symbol_of_29_chars_is_accepted(mt5: ModuleType) -> None:
    assert mt5.symbol_info("X" * 29) is None
    assert mt5.last_error() == (-10004, "No IPC connection")


@compat(
    "function:copy_rates_from",
    "function:copy_rates_from_pos",
    "function:copy_ticks_range",
    "function:order_calc_margin",
    "function:order_calc_profit",
)
@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("copy_rates_from", ("EURUSD", 16385.0, 0, 10)),
        ("copy_rates_from_pos", ("EURUSD", 16385, 0)),
        ("copy_ticks_range", ("EURUSD", 0, 1, "ALL")),
        ("order_calc_margin", (0.0, "EURUSD", 1.0, 1.0)),
        ("order_calc_profit", (0, "EURUSD", "1", 1.0, 1.0)),
    ],
)
def test_parse_tuple_type_errors_surface_as_system_error(
    mt5: ModuleType, call: str, args: tuple[Any, ...]
) -> None:
    with pytest.raises(SystemError):
        getattr(mt5, call)(*args)
    assert mt5.last_error() == INVALID


@compat("function:symbol_select")
def test_symbol_select_enable_none_is_accepted(mt5: ModuleType) -> None:
    assert mt5.symbol_select("EURUSD", None) is False
    assert mt5.last_error() == (-10004, "No IPC connection")


@compat("function:initialize")
@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"path": None}, 'Invalid "path" argument'),
        ({"login": "123"}, 'Invalid "login" argument'),
        ({"password": 5}, 'Invalid "password" argument'),
        ({"server": None}, 'Invalid "server" argument'),
        ({"timeout": "1"}, 'Invalid "timeout" argument'),
    ],
)
def test_initialize_bad_keywords(mt5: ModuleType, kwargs: dict[str, Any], text: str) -> None:
    assert mt5.initialize(**kwargs) is False
    assert mt5.last_error() == (-2, text)


@compat("function:initialize")
def test_initialize_positionals(mt5: ModuleType) -> None:
    assert mt5.initialize("a", "b") is False
    assert mt5.last_error() == (-2, "Invalid number of arguments")
    assert mt5.initialize(5) is False
    assert mt5.last_error() == (-2, "Invalid 1st unnamed argument")


@compat("function:login")
def test_login_positionals(mt5: ModuleType) -> None:
    assert mt5.login(1, "a", "b", "c") is False
    assert mt5.last_error() == (-2, "Invalid number of arguments")
    assert mt5.login(1, 2) is False
    assert mt5.last_error() == (-2, "Invalid 2nd unnamed argument")


@compat("function:symbols_get")
def test_symbols_get_argument_errors_return_false(mt5: ModuleType) -> None:
    assert mt5.symbols_get(None) is False
    assert mt5.symbols_get("a", "b") is False
    assert mt5.last_error() == (-2, "Invalid number of arguments")
    assert mt5.symbols_get(group=5) is False
    assert mt5.last_error() == (-2, 'Invalid "group" argument')


@compat("function:orders_get", "function:positions_get")
@pytest.mark.parametrize("name", ["orders_get", "positions_get"])
def test_trade_getters(mt5: ModuleType, name: str) -> None:
    function = getattr(mt5, name)
    assert function("EURUSD") is None
    assert mt5.last_error() == (-2, "Unnamed arguments not allowed")
    assert function(symbol=None) is None
    assert mt5.last_error() == (-2, 'Invalid "symbol" argument')
    assert function(ticket=None) is None
    assert mt5.last_error() == (-2, 'Invalid "ticket" argument')


@compat("function:history_orders_get", "function:history_deals_get")
@pytest.mark.parametrize("name", ["history_orders_get", "history_deals_get"])
def test_history_getters(mt5: ModuleType, name: str) -> None:
    function = getattr(mt5, name)
    assert function() is None
    assert mt5.last_error() == INVALID
    assert function(0, ticket=5) is None
    assert mt5.last_error() == (-2, "Unnamed arguments not allowed")
    assert function(ticket="5") is None
    assert mt5.last_error() == (-2, 'Invalid "ticket" argument')
    assert function(0, 1, ticket="ignored in the range form") is None
    assert mt5.last_error() == (-10004, "No IPC connection")


@compat("function:order_send", "function:order_check", "fields:TradeRequest")
@pytest.mark.parametrize(
    ("request_dict", "text"),
    [
        ({"sl": 0}, 'Invalid "sl" argument'),
        ({"volume": 1}, 'Invalid "volume" argument'),
        ({"expiration": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}, 'Invalid "expiration" argument'),
        ({"comment": None}, 'Invalid "comment" argument'),
        ({"comment": "c" * 30}, 'Invalid "comment" argument'),
        ({"magic": np.int64(1)}, 'Invalid "magic" argument'),
    ],
)
@pytest.mark.parametrize("name", ["order_send", "order_check"])
def test_request_fields(
    mt5: ModuleType, name: str, request_dict: dict[str, Any], text: str
) -> None:
    assert getattr(mt5, name)(request_dict) is None
    assert mt5.last_error() == (-2, text)
    assert getattr(mt5, name)(**request_dict) is None
    assert mt5.last_error() == (-2, text)


@compat("function:order_send", "function:order_check")
def test_request_call_forms(mt5: ModuleType) -> None:
    assert mt5.order_send({"action": 1}, action=1) is None
    assert mt5.last_error() == (-2, "Unnamed arguments not allowed")
    assert mt5.order_send() is None
    assert mt5.last_error() == (-2, "Invalid number of arguments")
    assert mt5.order_check({"unknown": 1, "comment": "x" * 29, "sl": np.float64(1.0)}) is None
    assert mt5.last_error() == (-10004, "No IPC connection")
