"""The seam between the module layer (``terminal.py``) and whatever serves one connection.

``Terminal`` validates the official arguments, then calls exactly one :class:`Session`
method with plain, already-checked Python values, and turns whatever it raises into a
sentinel plus ``last_error()`` through ``errors.ERROR_TABLE``. A session:

* returns our records (``MetaTrader5.records``) or numpy arrays of ``RATES_DTYPE`` /
  ``TICKS_DTYPE``, never None;
* raises the exceptions of ``MetaTrader5.errors`` (``NotConnectedError``,
  ``CallTimeoutError``, ``NotFoundError``, ...) for every failure, and nothing else for a
  connection or terminal problem;
* receives dates as whole seconds since the epoch (UTC) - tick functions as milliseconds,
  since the official multiplies by 1000 before sending (API.md 2.3) - and 0 meaning "not
  given";
* does no group filtering (the module layer applies the client-side matcher, API.md 2.9)
  except ``symbols_get(group)``, which the terminal filters.

:func:`open_session` is the one factory ``initialize()`` uses. Until the bridge/client
lands it reports that no terminal is reachable, exactly like the official package on a
machine without MetaTrader 5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .errors import InitializeError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .records import (
        AccountInfo,
        BookInfo,
        OrderCheckResult,
        OrderSendResult,
        SymbolInfo,
        TerminalInfo,
        Tick,
        TradeDeal,
        TradeOrder,
        TradePosition,
        TradeRequest,
    )

__all__ = ["Session", "open_session"]


class Session(Protocol):
    """One open connection, as the module layer sees it (all methods block)."""

    def close(self) -> None:
        """Close the connection; must not raise (``shutdown()`` always returns True)."""

    def login(self, login: int, password: str | None, server: str | None, timeout: int) -> None:
        """Switch account (``timeout`` in ms); raise AuthorizationError and friends."""

    def version(self) -> tuple[int, int, str]:
        """``(500, build, 'dd Mon yyyy')``."""

    def account_info(self) -> AccountInfo:
        """The logged-in account."""

    def terminal_info(self) -> TerminalInfo:
        """State of the terminal (or of our client acting as one)."""

    def symbols_total(self) -> int:
        """Number of all symbols, custom and hidden included."""

    def symbols_get(self, group: str | None) -> tuple[SymbolInfo, ...]:
        """All symbols, or those the terminal selects for ``group`` (None/'' = all)."""

    def symbol_info(self, symbol: str) -> SymbolInfo:
        """One symbol; raise (e.g. CallFailedError) when unknown or not selected."""

    def symbol_info_tick(self, symbol: str) -> Tick:
        """Last tick of ``symbol``."""

    def symbol_select(self, symbol: str, enable: bool) -> None:
        """Add ``symbol`` to (or remove it from) Market Watch; raise on refusal."""

    def market_book_add(self, symbol: str) -> None:
        """Subscribe to the depth of market of ``symbol``; raise on failure."""

    def market_book_get(self, symbol: str) -> tuple[BookInfo, ...]:
        """Current depth of market of ``symbol``."""

    def market_book_release(self, symbol: str) -> None:
        """Unsubscribe from the depth of market of ``symbol``; raise on failure."""

    def copy_rates_from(
        self, symbol: str, timeframe: int, date_from: int, count: int
    ) -> NDArray[np.void]:
        """``count`` bars with open time <= ``date_from`` (seconds), oldest first."""

    def copy_rates_from_pos(
        self, symbol: str, timeframe: int, start_pos: int, count: int
    ) -> NDArray[np.void]:
        """``count`` bars ending ``start_pos`` bars back from the current one."""

    def copy_rates_range(
        self, symbol: str, timeframe: int, date_from: int, date_to: int
    ) -> NDArray[np.void]:
        """Bars with ``date_from <= time <= date_to`` (seconds)."""

    def copy_ticks_from(
        self, symbol: str, date_from_msc: int, count: int, flags: int
    ) -> NDArray[np.void]:
        """``count`` ticks from ``date_from_msc`` (milliseconds) on, ``COPY_TICKS_*`` flags."""

    def copy_ticks_range(
        self, symbol: str, date_from_msc: int, date_to_msc: int, flags: int
    ) -> NDArray[np.void]:
        """Ticks between two times in milliseconds."""

    def orders_total(self) -> int:
        """Number of active orders."""

    def orders_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradeOrder, ...]:
        """Active orders: all, those of ``symbol``, or the one ``ticket`` (NotFoundError)."""

    def positions_total(self) -> int:
        """Number of open positions."""

    def positions_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradePosition, ...]:
        """Open positions: all, those of ``symbol``, or the one ``ticket`` (NotFoundError)."""

    def order_calc_margin(self, action: int, symbol: str, volume: float, price: float) -> float:
        """Margin in account currency for ``action`` (an ``ORDER_TYPE_*``)."""

    def order_calc_profit(
        self, action: int, symbol: str, volume: float, price_open: float, price_close: float
    ) -> float:
        """Profit in account currency."""

    def order_check(self, request: TradeRequest) -> OrderCheckResult:
        """Check a request; ``result.request`` echoes it."""

    def order_send(self, request: TradeRequest) -> OrderSendResult:
        """Send a request; a trade-server rejection is a result with its retcode, not an error."""

    def history_orders_total(self, date_from: int, date_to: int) -> int:
        """Number of history orders in a range (seconds)."""

    def history_orders_get(
        self,
        date_from: int = 0,
        date_to: int = 0,
        *,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeOrder, ...]:
        """History orders of a range, or the one ``ticket``, or those of ``position``."""

    def history_deals_total(self, date_from: int, date_to: int) -> int:
        """Number of deals in a range (seconds)."""

    def history_deals_get(
        self,
        date_from: int = 0,
        date_to: int = 0,
        *,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeDeal, ...]:
        """Deals of a range, or of the ORDER ``ticket``, or of ``position`` (API.md 4)."""


def open_session(  # noqa: PLR0917 - mirrors initialize()
    path: str | None,
    login: int | None,
    password: str | None,
    server: str | None,
    timeout: int,
    portable: bool,
) -> Session:
    """Open and (when ``login`` is given) log in one session; ``timeout`` in ms.

    Raises the ``errors`` exceptions: InitializeError(detail) when nothing is reachable,
    CallTimeoutError, AuthorizationError, OtpRequiredError. A later issue replaces this body
    with the real bridge/client (or the simulator fallback).
    """
    raise InitializeError("MetaTrader 5 x64 not found")
