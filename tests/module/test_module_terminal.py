"""Terminal: last_error transitions, SystemError quirk, and what it does with the session.

Everything runs against a real simulator (``terminal`` fixture) except one test, which plugs
a deliberately broken session in to prove that a bug is never disguised as a terminal error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.records import TICKS_DTYPE
from MetaTrader5.terminal import Terminal


class _Session:
    """A session with a bug: its account_info raises something the error table does not know."""

    def close(self) -> None:
        return None

    def account_info(self) -> Any:
        raise KeyError("a bug in the session")


def _terminal(session: _Session) -> Terminal:
    terminal = Terminal()
    terminal._session = session  # type: ignore[assignment]  # the seam, filled by hand
    return terminal


def test_last_error_transitions_on_the_module() -> None:
    mt5.account_info()
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.last_error() == (-10004, "No IPC connection")  # last_error() does not reset
    mt5.symbol_info(123)
    assert mt5.last_error() == (-2, "Invalid arguments")
    assert mt5.shutdown() is True
    assert mt5.last_error() == (1, "Success")


def test_parse_tuple_failure_raises_system_error_and_sets_last_error() -> None:
    terminal = Terminal()
    with pytest.raises(SystemError, match="returned a result with an exception set") as info:
        terminal.copy_rates_from("EURUSD", 16385.0, 0, 10)
    assert isinstance(info.value.__cause__, TypeError)
    assert "<built-in function copy_rates_from>" in str(info.value)
    assert terminal.last_error() == (-2, "Invalid arguments")
    with pytest.raises(SystemError):
        terminal.symbol_select()
    with pytest.raises(SystemError):
        terminal.history_orders_total(2**31, 0)


def test_non_str_symbol_in_parse_tuple_function_just_fails() -> None:
    terminal = Terminal()
    assert terminal.copy_rates_from(123, 16385, 0, 10) is None
    assert terminal.last_error() == (-2, "Invalid arguments")
    assert terminal.symbol_select(123) is False
    assert terminal.symbols_get(None) is False
    assert terminal.last_error() == (-2, "Invalid 1st unnamed argument")
    assert terminal.market_book_add() is None
    assert terminal.last_error() == (-2, "Invalid arguments")


def _buy(term: Terminal, symbol: str) -> int:
    assert term.symbol_select(symbol, True)
    tick = term.symbol_info_tick(symbol)
    assert tick is not None, term.last_error()
    result = term.order_send(
        {
            "action": mt5.TRADE_ACTION_DEAL,
            "symbol": symbol,
            "volume": 0.1,
            "type": mt5.ORDER_TYPE_BUY,
            "price": tick.ask,
            "deviation": 50,
            "magic": 99,
        }
    )
    assert result is not None and result.retcode == mt5.TRADE_RETCODE_DONE, result
    return int(result.order)


def test_group_is_filtered_client_side_and_ticket_wins(terminal: Terminal) -> None:
    eur, gbp, jpy = (_buy(terminal, s) for s in ("EURUSD", "GBPUSD", "EURJPY"))
    try:
        found = {p.ticket for p in terminal.positions_get(group="EUR*,!*JPY") or ()}
        assert eur in found and gbp not in found and jpy not in found
        assert {p.symbol for p in terminal.positions_get(group="EUR*,!*JPY") or ()} == {"EURUSD"}
        result = terminal.positions_get(ticket=gbp, symbol="EURUSD", group="*JPY")
        assert [p.ticket for p in result or ()] == [gbp]
        assert terminal.positions_get(group="eur*") == ()  # case-sensitive (API.md 2.9)
    finally:
        for ticket in (eur, gbp, jpy):
            (position,) = terminal.positions_get(ticket=ticket) or (None,)
            if position is not None:
                tick = terminal.symbol_info_tick(position.symbol)
                assert tick is not None
                terminal.order_send(
                    {
                        "action": mt5.TRADE_ACTION_DEAL,
                        "symbol": position.symbol,
                        "volume": position.volume,
                        "type": mt5.ORDER_TYPE_SELL,
                        "price": tick.bid,
                        "position": ticket,
                        "deviation": 50,
                    }
                )


def test_ticket_not_found_is_an_empty_tuple_with_success(terminal: Terminal) -> None:
    assert terminal.orders_get(ticket=99_999_999) == ()
    assert terminal.last_error() == (1, "Success")
    assert terminal.history_deals_get(position=99_999_999) == ()
    assert terminal.last_error() == (1, "Success")


def test_tick_dates_accept_datetimes_and_floats_like_ints(terminal: Terminal) -> None:
    rates = terminal.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_M1, 3, 1)
    assert rates is not None
    start = int(rates["time"][0])
    by_int = terminal.copy_ticks_range("EURUSD", start, start + 60, mt5.COPY_TICKS_ALL)
    aware = dt.datetime.fromtimestamp(start, dt.UTC)
    by_datetime = terminal.copy_ticks_range("EURUSD", aware, start + 60.9, mt5.COPY_TICKS_ALL)
    assert by_int is not None and by_datetime is not None
    assert by_int.dtype == TICKS_DTYPE and len(by_int) > 0
    assert np.array_equal(by_int, by_datetime)
    assert int(by_int["time_msc"][0]) >= start * 1000  # dates travel in milliseconds


def test_market_book_failure_keeps_last_error(terminal: Terminal) -> None:
    assert terminal.market_book_add("NO_SUCH_SYM") is False
    assert terminal.last_error() == (1, "Success")  # API.md 4: not updated
    assert terminal.symbol_info("NO_SUCH_SYM") is None
    assert terminal.last_error()[0] < 0


def test_a_bug_in_the_session_is_not_hidden() -> None:
    terminal = _terminal(_Session())
    with pytest.raises(KeyError):
        terminal.account_info()


def test_shutdown_closes_the_session_and_later_calls_fail(terminal: Terminal) -> None:
    assert terminal.orders_get() is not None
    assert terminal.shutdown() is True
    assert terminal.orders_get() is None
    assert terminal.last_error() == (-10004, "No IPC connection")


def test_failed_initialize_closes_the_previous_session(terminal: Terminal) -> None:
    assert terminal.account_info() is not None
    assert terminal.initialize("ws://127.0.0.1:9/terminal", login=1, password="x") is False
    assert terminal.last_error()[0] == -10003
    assert terminal.account_info() is None
    assert terminal.last_error() == (-10004, "No IPC connection")


def test_buy_without_price_and_without_connection_raises_attribute_error() -> None:
    with pytest.raises(AttributeError):
        mt5.Buy("EURUSD", 0.1)
    assert mt5.Buy("EURUSD", 0.1, 1.1) is None
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.Close("EURUSD") is None
