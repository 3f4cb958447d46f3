"""``WebTerminalClient``: the public asyncio client of one Web Terminal account.

Usage::

    async with WebTerminalClient.connect(url, login=..., password=...) as client:
        await client.symbols()
        async with client.on_tick(print, "EURUSD"):
            await asyncio.sleep(10)

Several clients can run in one process and one loop; they share nothing (each has its own
transport, session, caches, streams and rate limiter).

Connection lifecycle: ``connect`` opens the socket, bootstraps, logs in (spec 1.8 order:
28, then 3, then the symbol list) and starts the heartbeat. When the connection is lost (not
closed by us) and ``reconnect=True``, a supervisor reconnects with exponential backoff and
jitter, logs in again with the kept session id, reloads the account and symbol list and
re-sends the tick and book subscriptions. Every lost or closed connection produces exactly
one "disconnect" event; a successful reconnect produces a "reconnect" event. Requests made
while reconnecting fail at once with :class:`NotConnectedError`. Authentication failures
stop the reconnecting (the credentials will not get better by retrying).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from MetaTrader5.protocol.commands import Command
from MetaTrader5.records import BookInfo, OrderSendResult, Tick, TradeRequest

from ._interim import account_symbols_count
from .errors import (
    AuthenticationError,
    ClientConnectionError,
    ConnectionClosedError,
    NotConnectedError,
    RequestTimeoutError,
)
from .health import Backoff, Health, HealthMonitor
from .market import MarketData, SymbolEntry
from .ratelimit import TokenBucket
from .session import Credentials, Session
from .streams import EventStream, StreamHub, Subscription
from .tickstore import TickStore
from .trading import SymbolTradeTerms, TradeFate, TradingService
from .transport import Transport

__all__ = ["WebTerminalClient"]

_log = logging.getLogger("MetaTrader5.client")


class WebTerminalClient:
    """An asyncio Web Terminal client (one account, one connection at a time)."""

    def __init__(
        self,
        url: str,
        *,
        login: int,
        password: str,
        otp: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        verify_tls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        origin: str | None = None,
        reconnect: bool = True,
        backoff: Backoff | None = None,
        max_reconnect_attempts: int | None = None,
        requests_per_second: float = 50.0,
        burst: int = 20,
        ping_interval: float = 5.0,
        ping_timeout: float = 15.0,
        max_ticks: int = 100_000,
        max_tick_symbols: int = 512,
        symbols_ttl: float = 300.0,
        name: str | None = None,
    ) -> None:
        self.url = url
        self.name = name or f"client-{login}"
        self.timeout = timeout
        self._credentials = Credentials(login, password, otp)
        self._transport_options: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "request_timeout": timeout,
            "verify_tls": verify_tls,
            "ssl_context": ssl_context,
            "origin": origin,
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
        }
        self.auto_reconnect = reconnect
        self.backoff = backoff or Backoff()
        self.max_reconnect_attempts = max_reconnect_attempts
        self.limiter = TokenBucket(requests_per_second, burst)
        self.health_monitor = HealthMonitor()
        self.hub = StreamHub(self.name)
        self.market = MarketData(
            self.hub, self._request, TickStore(max_ticks, max_tick_symbols), symbols_ttl
        )
        self.trading = TradingService(self._request, timeout)
        self._transport: Transport | None = None
        self._session: Session | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._closed = False
        self.state = "new"
        self.account_block: bytes = b""
        self.disconnects = 0

    def __repr__(self) -> str:
        return f"<WebTerminalClient {self.name} login={self.login} {self.state}>"

    @property
    def login(self) -> int:
        return self._credentials.login

    # --- lifecycle ---------------------------------------------------------------------------

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, **options: Any) -> AsyncIterator[WebTerminalClient]:
        """Connect, log in, yield the client, and close it on exit."""
        client = cls(url, **options)
        try:
            await client.open()
            yield client
        finally:
            await client.close()

    async def open(self) -> None:
        """Connect and log in (spec 1.8).

        Raises:
            NotConnectedError: the endpoint cannot be reached.
            AuthenticationError / OtpRequiredError: the credentials were refused.
        """
        if self._closed:
            raise ConnectionClosedError("client is closed")
        self.state = "connecting"
        try:
            await self._establish(first=True)
        except BaseException:
            self.state = "closed"
            self._closed = True
            self._credentials.clear()
            raise
        self.state = "ready"
        self._supervisor = asyncio.create_task(self._supervise(), name=f"{self.name}-supervisor")

    async def _establish(self, first: bool) -> None:
        transport = Transport(
            self.url,
            rate_limiter=self.limiter,
            health=self.health_monitor,
            name=self.name,
            **self._transport_options,
        )
        transport.on_push = self._on_push
        transport.on_disconnect = self._on_transport_disconnect
        old = self._transport
        token = old.token if old is not None and not first else None
        await transport.open(token)
        self._transport = transport
        session = Session(transport, self._credentials)
        if self._session is not None:
            session.session_id = self._session.session_id
            session.cid = self._session.cid
        try:
            await session.login()
        except BaseException:
            await transport.close()
            raise
        self._session = session
        await self.refresh_account()
        if first:
            await self.market.load_symbols(force=True)
        else:
            await self.market.restore()

    async def close(self) -> None:
        """Log out, close the socket, end every stream; idempotent."""
        if self._closed and self._transport is None:
            return
        self._closed = True
        self.state = "closing"
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not asyncio.current_task():
            supervisor.cancel()
            with contextlib.suppress(BaseException):
                await supervisor
        session, transport = self._session, self._transport
        if session is not None:
            await session.logout()
        if transport is not None:
            await transport.close()
        self._transport = None
        self._credentials.clear()
        await self.hub.close()
        self.state = "closed"

    async def __aenter__(self) -> WebTerminalClient:
        if self.state == "new":
            await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- reconnect ---------------------------------------------------------------------------

    def _on_transport_disconnect(self, reason: BaseException) -> None:
        self.disconnects += 1
        self.trading.connection_lost()
        if self.state == "ready":
            self.state = "reconnecting" if self.auto_reconnect and not self._closed else "lost"
        self.hub.publish("disconnect", reason)

    async def _supervise(self) -> None:
        while not self._closed:
            transport = self._transport
            if transport is None:
                return
            reason = await transport.wait_closed()
            if self._closed or isinstance(reason, ConnectionClosedError):
                return
            if not self.auto_reconnect:
                self.state = "lost"
                return
            await self._reconnect()

    async def _reconnect(self) -> None:
        self.state = "reconnecting"
        attempts = 0
        while not self._closed:
            delay = self.backoff.next_delay()
            _log.info("%s: reconnecting in %.2f s", self.name, delay)
            await asyncio.sleep(delay)
            attempts += 1
            try:
                await self._establish(first=False)
            except AuthenticationError as exc:
                _log.error("%s: re-login refused (%s); giving up", self.name, exc.code)
                self.state = "lost"
                self.hub.publish("connection", {"state": "auth_failed", "error": exc})
                return
            except (ClientConnectionError, RequestTimeoutError, OSError) as exc:
                _log.warning("%s: reconnect attempt %d failed: %s", self.name, attempts, exc)
                if self.max_reconnect_attempts and attempts >= self.max_reconnect_attempts:
                    self.state = "lost"
                    return
                continue
            self.backoff.reset()
            self.health_monitor.reconnect_count += 1
            self.state = "ready"
            _log.info("%s: reconnected after %d attempt(s)", self.name, attempts)
            self.hub.publish("reconnect", attempts)
            await self._resolve_trades()
            return

    async def _resolve_trades(self) -> list[TradeFate]:
        """Report the fate of trades whose result was lost (never re-sent)."""
        try:
            fates = await self.trading.resolve_pending()
        except (ClientConnectionError, RequestTimeoutError) as exc:
            _log.warning("%s: could not resolve pending trades yet: %s", self.name, exc)
            return []
        for fate in fates:
            _log.warning("%s: trade request %d after reconnect: %s (order %d)",
                         self.name, fate.action_id, fate.state, fate.order)  # fmt: skip
            self.hub.publish("trade_fate", fate)
        return fates

    # --- requests and pushes -----------------------------------------------------------------

    async def _request(self, command: int, payload: bytes = b"") -> memoryview:
        transport = self._transport
        if transport is None or not transport.ready:
            if self._closed:
                raise ConnectionClosedError("client is closed")
            raise NotConnectedError(f"{self.name} is {self.state}")
        return await transport.request(command, payload)

    def _on_push(self, command: int, code: int, body: memoryview) -> None:
        try:
            if command == Command.TICKS:
                self.market.on_ticks(body)
            elif command == Command.BOOK:
                self.market.on_book(body)
            elif command == Command.ACCOUNT_UPDATE:
                self._apply_account(body)
                self.hub.publish("account", self.account_block)
            elif command == Command.TRADE_RESULT:
                result = self.trading.on_trade_result(body)
                if result is not None:
                    self.hub.publish("trade_result", result)
            elif command == Command.TRADE_UPDATE:
                self.hub.publish("trade", bytes(body))
            elif command == Command.TRADE_SERVER_STATE and self._session is not None:
                self.hub.publish("server_state", self._session.on_server_state(body))
            else:
                self.hub.publish("push", (command, bytes(body)))
        except Exception:  # a malformed push must not kill the reader (decoders are typed)
            _log.exception("%s: push %d could not be processed", self.name, command)
            self.hub.errors += 1

    def _apply_account(self, body: memoryview | bytes) -> None:
        self.account_block = bytes(body)
        if self._session is not None:
            self._session.on_account_block(body)
        self.market.symbols_count = account_symbols_count(body)

    async def refresh_account(self) -> bytes:
        """Fetch the account block (cmd 3, spec 3.3); returns its raw bytes."""
        self._apply_account(await self._request(Command.ACCOUNT))
        return self.account_block

    # --- public data API ---------------------------------------------------------------------

    @property
    def server_build(self) -> int | None:
        return self._session.server_build if self._session else None

    @property
    def server_offset_seconds(self) -> int:
        """spec 4.3: the trade server's offset from UTC, in seconds."""
        return self._session.offset_seconds if self._session else 0

    @property
    def trade_server_connected(self) -> bool | None:
        return self._session.trade_server_connected if self._session else None

    async def symbols(self, force: bool = False) -> dict[str, SymbolEntry]:
        """The symbol list (cached, spec 3.4.2), by name."""
        return await self.market.load_symbols(force)

    async def symbol_select(self, symbol: str, enable: bool = True) -> bool:
        """Add or remove ``symbol`` from the tick subscription (spec 3.5.1)."""
        if enable:
            await self.market.subscribe_ticks(symbol)
        else:
            await self.market.unsubscribe_ticks(symbol)
        return True

    async def symbol_info_tick(self, symbol: str) -> Tick | None:
        """The last tick of ``symbol``, subscribing to it first if needed."""
        if symbol not in self.market.tick_symbols:
            await self.market.subscribe_ticks(symbol)
        return self.market.last_tick(symbol)

    def tick_history(self, symbol: str) -> npt.NDArray[np.void]:
        """Ticks the stream delivered since subscription (bounded; TICKS_DTYPE)."""
        return self.market.tick_history(symbol)

    async def market_book_add(self, symbol: str) -> bool:
        await self.market.book_add(symbol)
        return True

    def market_book_get(self, symbol: str) -> tuple[BookInfo, ...]:
        return self.market.book(symbol)

    async def market_book_release(self, symbol: str) -> bool:
        return await self.market.book_release(symbol)

    async def order_send(
        self, request: TradeRequest, terms: SymbolTradeTerms
    ) -> OrderSendResult:
        """Send a trade request (see :class:`TradingService`); quotes come from the stream."""
        tick = self.market.last_tick(request.symbol)
        bid, ask = (tick.bid, tick.ask) if tick is not None else (0.0, 0.0)
        return await self.trading.order_send(request, terms, bid, ask)

    # --- push API ----------------------------------------------------------------------------

    def on_tick(self, callback: Callable[[Tick], Any], symbol: str | None = None) -> Subscription:
        """Call ``callback(tick)`` for ticks of ``symbol`` (or all subscribed symbols).

        Ticks flow only for subscribed symbols: call ``symbol_select`` or ``subscribe``.
        """
        return self.hub.subscribe("tick", callback, symbol)

    def on_book(self, callback: Callable[[tuple[BookInfo, ...]], Any], symbol: str) -> Subscription:
        return self.hub.subscribe("book", callback, symbol)

    def on_account(self, callback: Callable[[bytes], Any]) -> Subscription:
        return self.hub.subscribe("account", callback)

    def on_trade(self, callback: Callable[[Any], Any]) -> Subscription:
        return self.hub.subscribe("trade", callback)

    def on_symbol(self, callback: Callable[[Any], Any]) -> Subscription:
        return self.hub.subscribe("symbol", callback)

    def on_disconnect(self, callback: Callable[[BaseException], Any]) -> Subscription:
        """Called exactly once for every lost or closed connection, with the reason."""
        return self.hub.subscribe("disconnect", callback)

    def on_reconnect(self, callback: Callable[[int], Any]) -> Subscription:
        return self.hub.subscribe("reconnect", callback)

    def on_error(self, handler: Callable[[str, BaseException, Callable[..., Any]], Any]) -> Any:
        """Called when a callback raises: handler(topic, exception, callback)."""
        return self.hub.on_error(handler)

    def stream(self, topic: str, key: object | None = None, maxsize: int = 1000) -> EventStream:
        """Async iterator over a topic ("tick", "book", "account", ...) with a bounded queue."""
        return self.hub.stream(topic, key, maxsize)

    async def subscribe(self, *symbols: str) -> None:
        await self.market.subscribe_ticks(*symbols)

    # --- health ------------------------------------------------------------------------------

    def health(self) -> Health:
        transport = self._transport
        changed = self.health_monitor.check()
        if changed is not None:
            self.hub.publish("degraded", changed)
        return self.health_monitor.snapshot(
            self.state,
            transport.pending_count if transport is not None else 0,
            self.hub.errors,
            self.server_build,
        )
