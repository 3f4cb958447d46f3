"""_arguments.py: dates, lengths, ParseTuple emulation, request dicts, call forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from MetaTrader5 import _arguments as rules

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1_600_000_000, 1_600_000_000),
        (True, 1),
        (1.9, 1),
        (-1.9, -1),
        (np.float64(2.7), 2),
        (dt.datetime(2020, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC), 1_577_836_800),
        (pd.Timestamp("2020-01-01 00:00:00.7"), 1_577_836_800),  # naive pandas = UTC
    ],
)
def test_dates_accepted(value: object, seconds: int) -> None:
    assert rules.to_date(value) == seconds


def test_naive_stdlib_datetime_is_local_time() -> None:
    naive = dt.datetime(2021, 6, 1, 12, 30, 15, 500_000)
    assert rules.to_date(naive) == int(naive.timestamp())


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2020, 1, 1),
        np.int64(5),
        np.datetime64("2020-01-01"),
        "2020-01-01",
        None,
        float("nan"),
    ],
)
def test_dates_rejected(value: object) -> None:
    with pytest.raises(rules.ArgumentError) as info:
        rules.to_date(value)
    assert info.value.text == "Invalid arguments"


def test_int_date_overflow_is_a_parse_failure() -> None:
    with pytest.raises(rules.ParseTupleError) as info:
        rules.to_date(2**31)
    assert isinstance(info.value.cause, OverflowError)


def test_utf16_units_count_astral_characters_twice() -> None:
    assert rules.utf16_units("EURUSD") == 6
    assert rules.utf16_units("é") == 1
    assert rules.utf16_units("\U0001f600") == 2


def test_symbol_limit_is_29_utf16_units() -> None:
    assert rules.parse_symbol(["A" * 29]) == "A" * 29
    with pytest.raises(rules.ArgumentError):
        rules.parse_symbol(["A" * 30])
    with pytest.raises(rules.ArgumentError):
        rules.parse_symbol(["A" * 28 + "\U0001f600"])
    with pytest.raises(rules.ArgumentError):
        rules.parse_symbol([b"EURUSD"])
    with pytest.raises(rules.ArgumentError):
        rules.parse_symbol(["EURUSD", "GBPUSD"])


@pytest.mark.parametrize(
    ("args", "fmt", "cause"),
    [
        (("EURUSD", 16385.0, 0, 10), "OiOi", TypeError),
        (("EURUSD", 16385, 0), "OiOi", TypeError),
        (("EURUSD", 2**31, 0, 10), "OiOi", OverflowError),
        ((0.0, "EURUSD", 1.0, 1.0), "kOdd", TypeError),
        ((np.int64(0), "EURUSD", 1.0, 1.0), "kOdd", TypeError),
        ((0, "EURUSD", "1.0", 1.0), "kOdd", TypeError),
    ],
)
def test_parse_tuple_failures(args: tuple[Any, ...], fmt: str, cause: type[Exception]) -> None:
    with pytest.raises(rules.ParseTupleError) as info:
        rules.parse_tuple(args, fmt)
    assert isinstance(info.value.cause, cause)


def test_parse_tuple_conversions() -> None:
    values = rules.parse_tuple((np.int32(3), -1, 1, np.float32(0.5)), "Oikd")
    assert values[1] == -1
    assert values[2] == 1
    assert values[3] == 0.5
    assert rules.parse_tuple((-1, "S", 1, 2), "kOdd")[0] == 0xFFFFFFFF  # 'k' masks
    assert rules.parse_tuple((1, "S", 2, 3), "kOdd")[2:] == [2.0, 3.0]  # 'd' takes ints


def test_copy_arguments_convert_dates_and_check_symbol() -> None:
    when = dt.datetime(2020, 1, 1, tzinfo=UTC)
    assert rules.parse_copy("copy_rates_range", ("EURUSD", 16385, when, 1.5e9)) == (
        "EURUSD",
        16385,
        1_577_836_800,
        1_500_000_000,
    )
    with pytest.raises(rules.ArgumentError):
        rules.parse_copy("copy_ticks_from", (123, 0, 10, -1))


def test_initialize_arguments() -> None:
    parsed = rules.parse_initialize(("C:/mt5",), {"login": 5, "timeout": 0, "portable": 1})
    assert parsed == rules.InitializeArgs("C:/mt5", 5, None, None, 60000, True)
    assert rules.parse_initialize((), {"path": "x"}).path == "x"
    assert rules.parse_initialize(("a",), {"path": "b"}).path == "b"
    cases: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
        (("a", "b"), {}, "Invalid number of arguments"),
        ((5,), {}, "Invalid 1st unnamed argument"),
        ((), {"path": None}, 'Invalid "path" argument'),
        ((), {"path": "p" * 258}, 'Invalid "path" argument'),
        ((), {"login": "5"}, 'Invalid "login" argument'),
        ((), {"login": np.int64(5)}, 'Invalid "login" argument'),
        ((), {"password": "p" * 254}, 'Invalid "password" argument'),
        ((), {"server": 1}, 'Invalid "server" argument'),
        ((), {"timeout": 1.0}, 'Invalid "timeout" argument'),
    ]
    for args, kwargs, text in cases:
        with pytest.raises(rules.ArgumentError) as info:
            rules.parse_initialize(args, kwargs)
        assert info.value.text == text


def test_login_positional_order_is_login_password_server() -> None:
    assert rules.parse_login((1, "pw", "srv"), {}) == rules.LoginArgs(1, "pw", "srv", 60000)
    assert rules.parse_login((1, "pw"), {"password": "new", "timeout": 5}).password == "new"
    for args, text in [
        ((1, "a", "b", "c"), "Invalid number of arguments"),
        (("1",), "Invalid 1st unnamed argument"),
        ((1, 2), "Invalid 2nd unnamed argument"),
        ((1, "a", None), "Invalid 3rd unnamed argument"),
    ]:
        with pytest.raises(rules.ArgumentError) as info:
            rules.parse_login(args, {})
        assert info.value.text == text


def test_trade_filter_precedence_ticket_symbol_group() -> None:
    parse = rules.parse_trade_filter
    assert parse((), {"group": "*", "symbol": "EURUSD", "ticket": 5}) == rules.TradeFilter(5)
    assert parse((), {"group": "*", "symbol": "EURUSD"}) == rules.TradeFilter(symbol="EURUSD")
    assert parse((), {"group": "*"}) == rules.TradeFilter(group="*")
    assert parse((), {}) == rules.TradeFilter()
    cases: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
        (("EURUSD",), {}, "Unnamed arguments not allowed"),
        ((), {"ticket": None}, 'Invalid "ticket" argument'),
        ((), {"symbol": None}, 'Invalid "symbol" argument'),
        ((), {"group": "g" * 1998}, 'Invalid "group" argument'),
    ]
    for args, kwargs, text in cases:
        with pytest.raises(rules.ArgumentError) as info:
            parse(args, kwargs)
        assert info.value.text == text


def test_history_get_forms() -> None:
    parse = rules.parse_history_get
    assert parse((1, 2), {"group": "*", "ticket": 3}) == rules.HistoryQuery(1, 2, "*")
    assert parse((), {"ticket": 3, "position": 4}) == rules.HistoryQuery(ticket=3)
    assert parse((), {"position": 4}) == rules.HistoryQuery(position=4)
    cases: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
        ((1,), {"ticket": 3}, "Unnamed arguments not allowed"),
        ((1, 2, 3), {"position": 3}, "Unnamed arguments not allowed"),
        ((), {}, "Invalid arguments"),
        ((1,), {}, "Invalid arguments"),
        ((), {"ticket": "3"}, 'Invalid "ticket" argument'),
        ((), {"position": 1.0}, 'Invalid "position" argument'),
    ]
    for args, kwargs, text in cases:
        with pytest.raises(rules.ArgumentError) as info:
            parse(args, kwargs)
        assert info.value.text == text


def test_request_defaults_unknown_keys_and_keyword_form() -> None:
    request = rules.parse_request(({"symbol": "EURUSD", "sl": 1.0, "whatever": object()},), {})
    assert request.symbol == "EURUSD"
    assert request.sl == 1.0
    assert request.action == 0
    assert request.volume == 0.0
    assert request.comment == ""
    assert rules.parse_request((), {"action": 1, "volume": 0.1}).volume == 0.1

    class Sub(dict[str, Any]):
        pass

    assert rules.parse_request((Sub(magic=7),), {}).magic == 7


@pytest.mark.parametrize(
    ("request_dict", "key"),
    [
        ({"sl": 0}, "sl"),
        ({"volume": 1}, "volume"),
        ({"price": "1.1"}, "price"),
        ({"expiration": dt.datetime(2030, 1, 1, tzinfo=UTC)}, "expiration"),
        ({"expiration": 1.0}, "expiration"),
        ({"comment": None}, "comment"),
        ({"comment": "c" * 30}, "comment"),
        ({"symbol": "s" * 30}, "symbol"),
        ({"magic": np.int64(1)}, "magic"),
        ({"action": -1}, "action"),
        ({"type": "0"}, "type"),
    ],
)
def test_request_invalid_fields(request_dict: dict[str, Any], key: str) -> None:
    with pytest.raises(rules.ArgumentError) as info:
        rules.parse_request((request_dict,), {})
    assert info.value.text == f'Invalid "{key}" argument'


def test_request_call_forms() -> None:
    cases: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
        (({"action": 1},), {"action": 1}, "Unnamed arguments not allowed"),
        ((), {}, "Invalid number of arguments"),
        (({}, {}), {}, "Invalid number of arguments"),
    ]
    for args, kwargs, text in cases:
        with pytest.raises(rules.ArgumentError) as info:
            rules.parse_request(args, kwargs)
        assert info.value.text == text
    assert rules.parse_request(({"sl": np.float64(1.5)},), {}).sl == 1.5
    assert rules.parse_request(({"action": True},), {}).action is True
