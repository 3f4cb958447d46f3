"""API.md 2.2, 4, 9: sentinels and last_error before initialize()."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

NO_IPC = (-10004, "No IPC connection")
T0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2020, 2, 1, tzinfo=dt.UTC)

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = [
    ("version", (), {}, (0, 0, "")),
    ("account_info", (), {}, None),
    ("terminal_info", (), {}, None),
    ("symbols_total", (), {}, None),
    ("symbols_get", (), {}, None),
    ("symbols_get", ("*USD*",), {}, None),
    ("symbol_info", ("EURUSD",), {}, None),
    ("symbol_info_tick", ("EURUSD",), {}, None),
    ("symbol_select", ("EURUSD",), {}, False),
    ("symbol_select", ("EURUSD", False), {}, False),
    ("market_book_get", ("EURUSD",), {}, None),
    ("copy_rates_from", ("EURUSD", 16385, T0, 10), {}, None),
    ("copy_rates_from_pos", ("EURUSD", 16385, 0, 10), {}, None),
    ("copy_rates_range", ("EURUSD", 16385, T0, T1), {}, None),
    ("copy_ticks_from", ("EURUSD", T0, 10, -1), {}, None),
    ("copy_ticks_range", ("EURUSD", T0, T1, -1), {}, None),
    ("orders_total", (), {}, None),
    ("orders_get", (), {}, None),
    ("orders_get", (), {"group": "*"}, None),
    ("positions_total", (), {}, None),
    ("positions_get", (), {"symbol": "EURUSD"}, None),
    ("order_calc_margin", (0, "EURUSD", 1.0, 1.1), {}, None),
    ("order_calc_profit", (0, "EURUSD", 1, 1.1, 1.2), {}, None),
    ("order_check", ({"action": 1, "symbol": "EURUSD", "volume": 1.0},), {}, None),
    ("order_send", (), {"action": 1, "symbol": "EURUSD", "volume": 1.0}, None),
    ("history_orders_total", (T0, T1), {}, None),
    ("history_orders_get", (T0, T1), {}, None),
    ("history_orders_get", (), {"ticket": 1}, None),
    ("history_deals_total", (T0, T1), {}, None),
    ("history_deals_get", (T0, T1), {"group": "*"}, None),
    ("history_deals_get", (), {"position": 1}, None),
    ("login", (1234, "password", "Server"), {}, False),
]


@compat("function:last_error", "errors")
def test_last_error_starts_empty_in_a_fresh_process() -> None:
    import subprocess
    import sys

    code = "import MetaTrader5 as m; print(m.last_error())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "(0, '')"


@compat(*sorted({f"function:{case[0]}" for case in CASES}), "errors")
@pytest.mark.parametrize(("name", "args", "kwargs", "sentinel"), CASES)
def test_sentinel_and_no_ipc(
    mt5: ModuleType, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], sentinel: Any
) -> None:
    result = getattr(mt5, name)(*args, **kwargs)
    assert result == sentinel
    assert type(result) is type(sentinel)
    assert mt5.last_error() == NO_IPC


@compat("function:market_book_add", "function:market_book_release")
@pytest.mark.parametrize("name", ["market_book_add", "market_book_release"])
def test_market_book_failure_keeps_last_error(mt5: ModuleType, name: str) -> None:
    assert getattr(mt5, name)("EURUSD") is False
    assert mt5.last_error() == (1, "Success")


@compat(
    "function:initialize",
    "errors",
    note="no local terminal: path is a ws:// or wss:// Web Terminal URL, or ignored",
)
def test_initialize_without_terminal_returns_false(mt5: ModuleType) -> None:
    # A path where no terminal can be found: for the official package it is not an existing
    # terminal64.exe, for a Web Terminal implementation it is an unreachable endpoint.
    assert mt5.initialize("ws://127.0.0.1:9/terminal", login=1, password="x") is False
    code, text = mt5.last_error()
    assert code == -10003
    assert text.startswith("IPC initialize failed, ")
