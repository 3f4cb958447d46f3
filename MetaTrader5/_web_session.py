"""``WebSession``: the :class:`~MetaTrader5._session.Session` seam over the async client.

Each method is one ``bridge.call(client.<same name>(...), call_timeout)`` (contracts.md, "The
async client facade"); the client's and the bridge's exceptions travel up unchanged and are
mapped by ``errors.ERROR_TABLE`` only. See ``_session`` for the timeout rules and the
hop-free reads. Imported only by ``_session.open_session``, i.e. on the first
``initialize()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from .errors import CallFailedError, NotConnectedError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._endpoint import Endpoint
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

__all__ = ["MAX_CALL_SECONDS", "Listener", "WebSession", "call_seconds", "connect"]

#: Upper bound of the per-call timeout taken from ``initialize(timeout=...)``.
MAX_CALL_SECONDS: Final = 30.0
#: Lower bound, so that a tiny ``timeout`` still leaves a loopback round trip possible.
MIN_CALL_SECONDS: Final = 0.2
_CLOSE_SECONDS: Final = 3.0
_DEFAULT_TIMEOUT_MS: Final = 60_000

_log = logging.getLogger("MetaTrader5")


class Listener:
    """A registered callback (``MetaTrader5.on_tick`` and friends); ``cancel()`` removes it.

    Also a context manager: ``with mt5.on_tick(print, "EURUSD"): ...`` cancels on exit.
    """

    __slots__ = ("_cancel", "key", "topic")

    def __init__(self, topic: str, key: str | None, cancel: Callable[[], None]) -> None:
        self.topic = topic
        self.key = key
        self._cancel = cancel

    def cancel(self) -> None:
        """Stop the callbacks (idempotent; safe from any thread, callbacks included)."""
        self._cancel()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def __repr__(self) -> str:
        return f"<Listener {self.topic} {self.key or '*'}>"


def call_seconds(timeout_ms: int) -> float:
    """The per-call timeout (seconds) derived from ``initialize(timeout=ms)`` (module doc)."""
    milliseconds = timeout_ms if timeout_ms > 0 else _DEFAULT_TIMEOUT_MS
    return min(max(milliseconds / 1000.0, MIN_CALL_SECONDS), MAX_CALL_SECONDS)


class WebSession:
    """:class:`Session` over a ``WebTerminalClient`` running on the bridge loop."""

    def __init__(self, client: Any, bridge: Any, call_timeout: float, simulated: bool) -> None:
        self._client = client
        self._bridge = bridge
        self.call_timeout = call_timeout
        self.simulated = simulated

    def __repr__(self) -> str:
        where = "simulator" if self.simulated else "web terminal"
        return f"<WebSession {where} {self._client!r}>"

    # -- plumbing -----------------------------------------------------------------------

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<name>(...)`` on the bridge loop, awaited if it is a coroutine."""
        client = self._client

        async def invoke() -> Any:
            if client is None or client.state != "ready":
                # API.md 2.2: without a live link every call fails with -10004 at once,
                # even those the client could answer from its caches.
                raise NotConnectedError
            result = getattr(client, name)(*args, **kwargs)
            if hasattr(result, "__await__"):  # version()/terminal_info() may be plain
                result = await result
            return result

        return self._bridge.call(invoke(), self.call_timeout)

    def _count(self, index: int, name: str) -> int:
        """positions/orders/symbols total without a thread hop when the client has it.

        ``client.counts()`` reads immutable tuples the bridge loop replaces whole, so it is
        safe from this thread by construction; a stale symbol list (None) takes the hop, so
        that ``symbols_total`` refreshes it exactly as before.
        """
        client = self._client
        if client is None or client.state != "ready":
            raise NotConnectedError  # API.md 2.2, as in _call
        value = client.counts()[index]
        return int(self._call(name)) if value is None else int(value)

    def _act(self, name: str, *args: Any) -> None:
        """Like :meth:`_call`, for actions: they return None (or True) and raise on failure."""
        if self._call(name, *args) is False:
            raise CallFailedError(f"{name} returned False")

    def _value(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`_call`, for methods whose None/False means "failed" (Session contract)."""
        result = self._call(name, *args, **kwargs)
        if result is None or result is False:
            raise CallFailedError(f"{name} returned {result!r}")
        return result

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            self._bridge.call(client.close(), _CLOSE_SECONDS)
        except Exception:  # shutdown() always succeeds (API.md 3); a dead link is closed too
            _log.debug("closing the session failed", exc_info=True)

    def login(self, login: int, password: str | None, server: str | None, timeout: int) -> None:
        # API.md 3: login() switches account on the open connection; a Web Terminal login
        # is a new authenticated socket, so open the new one first and keep the old on failure.
        from ._endpoint import Endpoint  # noqa: PLC0415 - light import of the module layer

        endpoint = Endpoint(self._client.url, login, password or "", server, self.simulated)
        client = connect(self._bridge, endpoint, timeout, self.call_timeout)
        old, self._client = self._client, client
        try:
            self._bridge.call(old.close(), _CLOSE_SECONDS)
        except Exception:
            _log.debug("closing the previous account's connection failed", exc_info=True)

    # -- extras -------------------------------------------------------------------------

    def listen(self, topic: str, callback: Callable[[Any], Any], key: str | None) -> Listener:
        client = self._client

        async def register() -> Any:
            if key is not None and topic == "tick":
                await client.subscribe(key)  # ticks flow only for subscribed symbols
            elif key is not None and topic == "book":
                await client.market_book_add(key)
            extra = () if key is None else (key,)
            return getattr(client, f"on_{topic}")(callback, *extra)

        subscription = self._bridge.call(register(), self.call_timeout)

        def cancel() -> None:
            if self._bridge.in_bridge_thread():
                subscription.cancel()
                return
            loop = self._bridge.loop()
            loop.call_soon_threadsafe(subscription.cancel)

        return Listener(topic, key, cancel)

    def server_time_offset(self) -> int:
        client = self._client

        async def read() -> int:
            return int(client.server_offset_seconds)  # spec 4.3, kept by the client session

        return self._bridge.call(read(), self.call_timeout)  # type: ignore[no-any-return]

    # -- the official calls: one client call each (contracts.md) ------------------------

    def version(self) -> tuple[int, int, str]:
        major, build, date = self._value("version")
        return (int(major), int(build), str(date))

    def account_info(self) -> AccountInfo:
        return self._value("account_info")  # type: ignore[no-any-return]

    def terminal_info(self) -> TerminalInfo:
        return self._value("terminal_info")  # type: ignore[no-any-return]

    def symbols_total(self) -> int:
        return self._count(2, "symbols_total")

    def symbols_get(self, group: str | None) -> tuple[SymbolInfo, ...]:
        return tuple(self._call("symbols_get", group))

    def symbol_info(self, symbol: str) -> SymbolInfo:
        return self._value("symbol_info", symbol)  # type: ignore[no-any-return]

    def symbol_info_tick(self, symbol: str) -> Tick:
        return self._value("symbol_info_tick", symbol)  # type: ignore[no-any-return]

    def symbol_select(self, symbol: str, enable: bool) -> None:
        self._act("symbol_select", symbol, enable)

    def market_book_add(self, symbol: str) -> None:
        self._act("market_book_add", symbol)

    def market_book_get(self, symbol: str) -> tuple[BookInfo, ...]:
        return tuple(self._value("market_book_get", symbol))

    def market_book_release(self, symbol: str) -> None:
        self._act("market_book_release", symbol)

    def copy_rates_from(
        self, symbol: str, timeframe: int, date_from: int, count: int
    ) -> NDArray[np.void]:
        return self._value("copy_rates_from", symbol, timeframe, date_from, count)  # type: ignore[no-any-return]

    def copy_rates_from_pos(
        self, symbol: str, timeframe: int, start_pos: int, count: int
    ) -> NDArray[np.void]:
        return self._value("copy_rates_from_pos", symbol, timeframe, start_pos, count)  # type: ignore[no-any-return]

    def copy_rates_range(
        self, symbol: str, timeframe: int, date_from: int, date_to: int
    ) -> NDArray[np.void]:
        return self._value("copy_rates_range", symbol, timeframe, date_from, date_to)  # type: ignore[no-any-return]

    def copy_ticks_from(
        self, symbol: str, date_from_msc: int, count: int, flags: int
    ) -> NDArray[np.void]:
        return self._value("copy_ticks_from", symbol, date_from_msc, count, flags)  # type: ignore[no-any-return]

    def copy_ticks_range(
        self, symbol: str, date_from_msc: int, date_to_msc: int, flags: int
    ) -> NDArray[np.void]:
        return self._value("copy_ticks_range", symbol, date_from_msc, date_to_msc, flags)  # type: ignore[no-any-return]

    def orders_total(self) -> int:
        return self._count(1, "orders_total")

    def orders_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradeOrder, ...]:
        return tuple(self._call("orders_get", symbol=symbol, ticket=ticket))

    def positions_total(self) -> int:
        return self._count(0, "positions_total")

    def positions_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradePosition, ...]:
        return tuple(self._call("positions_get", symbol=symbol, ticket=ticket))

    def order_calc_margin(self, action: int, symbol: str, volume: float, price: float) -> float:
        return float(self._value("order_calc_margin", action, symbol, volume, price))

    def order_calc_profit(
        self, action: int, symbol: str, volume: float, price_open: float, price_close: float
    ) -> float:
        return float(
            self._value("order_calc_profit", action, symbol, volume, price_open, price_close)
        )

    def order_check(self, request: TradeRequest) -> OrderCheckResult:
        return self._value("order_check", request)  # type: ignore[no-any-return]

    def order_send(self, request: TradeRequest) -> OrderSendResult:
        return self._value("order_send", request)  # type: ignore[no-any-return]

    def history_orders_total(self, date_from: int, date_to: int) -> int:
        return int(self._call("history_orders_total", date_from, date_to))

    def history_orders_get(
        self,
        date_from: int = 0,
        date_to: int = 0,
        *,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeOrder, ...]:
        found = self._call(
            "history_orders_get", date_from, date_to, ticket=ticket, position=position
        )
        return tuple(found)

    def history_deals_total(self, date_from: int, date_to: int) -> int:
        return int(self._call("history_deals_total", date_from, date_to))

    def history_deals_get(
        self,
        date_from: int = 0,
        date_to: int = 0,
        *,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeDeal, ...]:
        found = self._call(
            "history_deals_get", date_from, date_to, ticket=ticket, position=position
        )
        return tuple(found)


def connect(bridge: Any, endpoint: Endpoint, timeout_ms: int, call_timeout: float) -> Any:
    """Open and log in one client on the bridge loop within ``timeout_ms`` (API.md 3)."""
    from ._endpoint import rate_limit  # noqa: PLC0415 - light import of the module layer
    from .client import WebTerminalClient  # noqa: PLC0415 - asyncio/websockets on demand

    # _endpoint.rate_limit: none on the embedded simulator, a token bucket on a broker.
    limit = rate_limit(endpoint.simulated)
    client = WebTerminalClient(
        endpoint.url,
        login=endpoint.login,
        password=endpoint.password,
        timeout=call_timeout,
        connect_timeout=call_seconds(timeout_ms),
        # A lost link must surface as -10002/-10004 (API.md 8), not be hidden by a silent
        # reconnect behind a blocking call; initialize() again reconnects.
        reconnect=False,
        name=f"mt5-{endpoint.login}",
        requests_per_second=limit[0] if limit is not None else None,
        burst=limit[1] if limit is not None else 1,
    )
    open_timeout = (timeout_ms if timeout_ms > 0 else _DEFAULT_TIMEOUT_MS) / 1000.0
    try:
        bridge.call(client.open(), open_timeout)
    except BaseException:
        try:
            bridge.call(client.close(), _CLOSE_SECONDS)
        except Exception:
            _log.debug("closing a connection that failed to open also failed", exc_info=True)
        raise
    return client
