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

:func:`open_session` is the one factory ``initialize()`` uses: it resolves the endpoint
(``_endpoint``: a ``ws://`` URL, ``MT5WEB_URL`` or the embedded simulator), opens an async
:class:`~MetaTrader5.client.WebTerminalClient` on the bridge loop and wraps it in a
:class:`WebSession`. Each ``WebSession`` method is one
``default_bridge().call(client.<same name>(...), call_timeout)`` (contracts.md, "The async
client facade"); the client's and the bridge's exceptions travel up unchanged and are mapped
by ``errors.ERROR_TABLE`` only. The client and the bridge (asyncio, websockets) are imported
here lazily, on the first ``initialize()``, so ``import MetaTrader5`` stays light.

Hop-free reads: ``positions_total``, ``orders_total`` and ``symbols_total`` (while the symbol
list is fresh) are answered from ``client.counts()`` in the caller's thread, without a trip
through the bridge: the client keeps those figures in tuples its loop replaces whole, never
mutates, so reading them from another thread is safe by construction (a stale symbol list
still takes the hop, which refreshes it). The request rate limit is chosen by
``_endpoint.rate_limit``: none on the embedded simulator, a token bucket on a broker.

Timeouts: ``initialize(timeout=ms)`` (0 = 60000, API.md 3) bounds the connection and login;
every later call of the session is bounded by the same value capped at
:data:`MAX_CALL_SECONDS`, and a call that outlives it returns the official sentinel with
``(-10005, 'IPC timeout')``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ._web_session import MAX_CALL_SECONDS, Listener, WebSession
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

__all__ = ["MAX_CALL_SECONDS", "Listener", "Session", "WebSession", "open_session"]

_log = logging.getLogger("MetaTrader5")


class Session(Protocol):
    """One open connection, as the module layer sees it (all methods block)."""

    def close(self) -> None:
        """Close the connection; must not raise (``shutdown()`` always returns True)."""

    def listen(self, topic: str, callback: Callable[[Any], Any], key: str | None) -> Listener:
        """Extras: call ``callback`` for every ``topic`` push ("tick", "book", ...)."""

    def server_time_offset(self) -> int:
        """Extras: the trade server's offset from UTC in seconds (server = UTC + offset)."""

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
    """Resolve the endpoint, connect and log in one session; ``timeout`` in ms (API.md 3).

    ``portable`` has no meaning without a local terminal and is ignored.

    Raises:
        InitializeError: no account for a Web Terminal URL, or the endpoint is unreachable
            (``-10003 IPC initialize failed, <detail>``).
        The client's and the bridge's exceptions: timeouts (-10005), refused credentials
        (-6, -7), mapped by ``errors.ERROR_TABLE``.
    """
    del portable
    from . import _endpoint  # noqa: PLC0415 - resolution (and the simulator) on demand
    from ._bridge import default_bridge  # noqa: PLC0415 - asyncio on demand
    from ._web_session import WebSession, call_seconds, connect  # noqa: PLC0415
    from .client.errors import NotConnectedError as Unreachable  # noqa: PLC0415

    endpoint = _endpoint.resolve(path, login, password, server)
    bridge = default_bridge()
    call_timeout = call_seconds(timeout)
    try:
        client = connect(bridge, endpoint, timeout, call_timeout)
    except (Unreachable, OSError) as exc:
        if isinstance(exc, TimeoutError):
            raise
        raise InitializeError(f"Web Terminal not reachable at {endpoint.url}") from exc
    return WebSession(client, bridge, call_timeout, endpoint.simulated)
