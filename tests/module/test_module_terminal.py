"""Terminal: last_error transitions, SystemError quirk, and the seam contract.

The seam tests plug a small in-memory session into a Terminal (the real client does not
exist yet); they check what the Terminal itself does with what a session returns or
raises: group filtering, not-found tickets, tick dates in ms, the error table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5 import errors
from MetaTrader5.records import TICKS_DTYPE, TradeOrder
from MetaTrader5.terminal import Terminal


def _order(ticket: int, symbol: str) -> TradeOrder:
    values: list[Any] = [0] * 24
    values[0] = ticket
    values[21] = symbol
    return TradeOrder._from_sequence(values)


class _Session:
    """Answers from fixed data; ``fail`` makes every call raise that exception."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.fail = fail
        self.calls: list[tuple[Any, ...]] = []
        self.orders = (_order(1, "EURUSD"), _order(2, "GBPUSD"), _order(3, "EURJPY"))

    def _check(self, *call: Any) -> None:
        self.calls.append(call)
        if self.fail is not None:
            raise self.fail

    def close(self) -> None:
        self.calls.append(("close",))

    def orders_get(self, symbol: str | None = None, ticket: int | None = None) -> Any:
        self._check("orders_get", symbol, ticket)
        if ticket is not None:
            found = tuple(o for o in self.orders if o.ticket == ticket)
            if not found:
                raise errors.NotFoundError
            return found
        return self.orders

    def copy_ticks_range(self, symbol: str, start: int, end: int, flags: int) -> Any:
        self._check("copy_ticks_range", symbol, start, end, flags)
        return np.zeros(0, dtype=TICKS_DTYPE)

    def symbol_info(self, symbol: str) -> Any:
        self._check("symbol_info", symbol)
        return None

    def market_book_add(self, symbol: str) -> None:
        self._check("market_book_add", symbol)

    def account_info(self) -> Any:
        self._check("account_info")
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


def test_group_is_filtered_client_side_and_ticket_wins() -> None:
    session = _Session()
    terminal = _terminal(session)
    result = terminal.orders_get(group="EUR*,!*JPY")
    assert [o.ticket for o in result or ()] == [1]
    assert session.calls[-1] == ("orders_get", None, None)
    result = terminal.orders_get(ticket=2, symbol="EURUSD", group="*")
    assert [o.ticket for o in result or ()] == [2]
    last: Any = session.calls[-1]
    assert last == ("orders_get", None, 2)


def test_ticket_not_found_is_an_empty_tuple_with_success() -> None:
    terminal = _terminal(_Session())
    assert terminal.orders_get(ticket=99) == ()
    assert terminal.last_error() == (1, "Success")


def test_tick_dates_are_sent_in_milliseconds() -> None:
    session = _Session()
    terminal = _terminal(session)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    result = terminal.copy_ticks_range("EURUSD", start, 1_577_836_860.9, -1)
    assert result is not None
    assert result.dtype == TICKS_DTYPE
    assert session.calls[-1] == (
        "copy_ticks_range",
        "EURUSD",
        1_577_836_800_000,
        1_577_836_860_000,
        -1,
    )


@pytest.mark.parametrize(
    ("exc", "pair"),
    [
        (errors.CallTimeoutError(), (-10005, "IPC timeout")),
        (errors.CallFailedError(), (-1, "Terminal: Call failed")),
        (ConnectionResetError(), (-10002, "IPC recv failed")),
    ],
)
def test_session_exceptions_become_sentinels(exc: BaseException, pair: tuple[int, str]) -> None:
    terminal = _terminal(_Session(fail=exc))
    assert terminal.symbol_info("EURUSD") is None
    assert terminal.last_error() == pair
    assert terminal.market_book_add("EURUSD") is False
    assert terminal.last_error() == (1, "Success")  # API.md 4: not updated


def test_a_bug_in_the_session_is_not_hidden() -> None:
    terminal = _terminal(_Session())
    with pytest.raises(KeyError):
        terminal.account_info()


def test_shutdown_closes_the_session_and_later_calls_fail() -> None:
    session = _Session()
    terminal = _terminal(session)
    assert terminal.shutdown() is True
    assert session.calls[-1] == ("close",)
    assert terminal.orders_get() is None
    assert terminal.last_error() == (-10004, "No IPC connection")


def test_failed_initialize_closes_the_previous_session() -> None:
    session = _Session()
    terminal = _terminal(session)
    assert terminal.initialize() is False
    assert session.calls[-1] == ("close",)
    assert terminal.last_error()[0] == -10003


def test_buy_without_price_and_without_connection_raises_attribute_error() -> None:
    with pytest.raises(AttributeError):
        mt5.Buy("EURUSD", 0.1)
    assert mt5.Buy("EURUSD", 0.1, 1.1) is None
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.Close("EURUSD") is None
