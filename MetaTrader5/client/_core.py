"""The connection core of :class:`WebTerminalClient`: lifecycle, reconnect, push dispatch.

Connection lifecycle: ``open`` connects, bootstraps, logs in and loads the session in the
order of spec 1.8 (28, then 3, then the symbol list, then 4), subscribes the ticks of the
symbols with positions or orders, and starts the heartbeat. When the connection is lost (not
closed by us) and ``reconnect=True``, a supervisor reconnects with exponential backoff and
jitter, logs in again with the kept session id, reloads the account, symbols, positions and
orders, and re-sends the tick and book subscriptions. Every lost or closed connection
produces exactly one "disconnect" event; a successful reconnect produces a "reconnect"
event, then the fate of trades whose result was lost ("trade_fate"). Requests made while
reconnecting fail at once with :class:`NotConnectedError`. Authentication failures stop the
reconnecting (the credentials will not get better by retrying).

Pushes (spec 3.1) are decoded here and routed to the state they change; a push that cannot
be decoded is logged and counted, never allowed to stop the reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Coroutine
from typing import Any

from MetaTrader5.protocol import Command, ExtensionAnnounced
from MetaTrader5.protocol.messages import (
    decode_account,
    decode_symbol_update,
    decode_trade_update,
)

from ._magic import MagicBook
from .account import AccountState
from .errors import (
    AuthenticationError,
    ClientConnectionError,
    ConnectionClosedError,
    NotConnectedError,
    RequestTimeoutError,
)
from .health import Backoff, Health, HealthMonitor
from .history import HistoryService
from .market import MarketData
from .ratelimit import TokenBucket
from .rates import RatesService
from .session import Credentials, Session
from .streams import StreamHub
from .symbols import SymbolCatalog
from .tickstore import TickStore
from .trading import TradeFate, TradingService
from .transport import Transport

__all__ = ["ClientCore", "DEFAULT_REQUESTS_PER_SECOND", "DEFAULT_BURST"]

#: Default token bucket for a broker's gateway: 50 requests/s on average, bursts of 20.
#: ``requests_per_second=None`` (or <= 0) sends without any limit (the embedded simulator).
DEFAULT_REQUESTS_PER_SECOND = 50.0
DEFAULT_BURST = 20

_log = logging.getLogger("MetaTrader5.client")


class ClientCore:
    """Connection, session and state of one account (see the module docstring)."""

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
        requests_per_second: float | None = DEFAULT_REQUESTS_PER_SECOND,
        burst: int = DEFAULT_BURST,
        ping_interval: float = 5.0,
        ping_timeout: float = 15.0,
        max_ticks: int = 100_000,
        max_tick_symbols: int = 512,
        symbols_ttl: float = 300.0,
        first_tick_timeout: float = 3.0,
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
        self.limiter: TokenBucket | None = None
        self.set_rate_limit(requests_per_second, burst)
        self.health_monitor = HealthMonitor()
        self.hub = StreamHub(self.name)
        self.market = MarketData(self.hub, self._request, TickStore(max_ticks, max_tick_symbols),
                                 symbols_ttl, first_tick_timeout)  # fmt: skip
        self.catalog = SymbolCatalog(self.market, self._request, symbols_ttl)
        #: Magic numbers of our own orders (the wire has none, spec 4.5): see ``_magic``.
        self.magic = MagicBook()
        self.account = AccountState(self.magic)
        self.account.login = self._credentials.login
        self.trading = TradingService(self._request, timeout, self.magic)
        self.history = HistoryService(self._request, self.magic)
        self.rates = RatesService(self._request, self.market, lambda: self.server_offset_seconds,
                                  self._tick_history_available)  # fmt: skip
        self._transport: Transport | None = None
        self._session: Session | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self.state = "new"
        self.disconnects = 0

    def __repr__(self) -> str:
        return f"<WebTerminalClient {self.name} login={self.login} {self.state}>"

    @property
    def login(self) -> int:
        return self._credentials.login

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

    def set_rate_limit(self, requests_per_second: float | None, burst: int = DEFAULT_BURST) -> None:
        """Replace the request token bucket; None or <= 0 removes the limit altogether.

        Takes effect for the next request, on the live connection too.
        """
        if requests_per_second is None or requests_per_second <= 0:
            self.limiter = None
        else:
            self.limiter = TokenBucket(requests_per_second, max(1, burst))
        transport = getattr(self, "_transport", None)
        if transport is not None:
            transport.rate_limiter = self.limiter

    def counts(self) -> tuple[int, int, int | None]:
        """(positions, orders, symbols) without touching the loop; symbols is None when the
        symbol list is not loaded or older than its TTL (then ``symbols_total()`` refreshes).

        Safe from any thread by construction: it reads two tuples that the loop thread
        replaces whole (never mutates) whenever the positions, orders or symbol list change.
        """
        positions, orders = self.account.totals
        loaded = self.market.symbols_snapshot
        symbols = None
        if loaded is not None and time.monotonic() - loaded[0] < self.market.symbols_ttl:
            symbols = loaded[1]
        return positions, orders, symbols

    def _tick_history_available(self) -> bool:
        transport = self._transport
        return transport is not None and transport.tick_history_available

    # --- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, log in and load the session (spec 1.8).

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
            if self._transport is not None:
                await self._transport.close()
            raise
        self.state = "ready"
        self._supervisor = asyncio.create_task(self._supervise(), name=f"{self.name}-supervisor")

    async def _establish(self, first: bool) -> None:
        transport = Transport(self.url, rate_limiter=self.limiter, health=self.health_monitor,
                              name=self.name, **self._transport_options)  # fmt: skip
        transport.on_push = self._on_push
        transport.on_disconnect = self._on_transport_disconnect
        transport.on_extension = self._on_extension
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
        self.trading.server_offset = 0
        await self.refresh_account()
        self.trading.server_offset = self.server_offset_seconds
        if first:
            await self.market.load_symbols(force=True)
        else:
            await self.market.restore()
        await self.refresh_positions()

    async def close(self) -> None:
        """Log out, close the socket, end every stream; idempotent."""
        if self._closed and self._transport is None:
            return
        self._closed = True
        self.state = "closing"
        supervisor, self._supervisor = self._supervisor, None
        tasks = [t for t in (supervisor, *self._tasks) if t is not None]
        for task in tasks:
            if task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        session, transport = self._session, self._transport
        if session is not None:
            await session.logout()
        if transport is not None:
            await transport.close()
        self._transport = None
        self._credentials.clear()
        self.magic.clear()
        await self.hub.close()
        self.state = "closed"

    async def __aenter__(self) -> ClientCore:
        if self.state == "new":
            await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a background job tied to this client (cancelled by close())."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._job_done)

    def _job_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.warning("%s: background job failed: %s", self.name, task.exception())

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

    def _on_extension(self, event: ExtensionAnnounced) -> None:
        self.hub.publish("extension", event)

    def _on_push(self, command: int, code: int, body: memoryview) -> None:
        del code  # pushes carry 0 (spec 1.4)
        try:
            if command == Command.TICKS:
                self.market.on_ticks(body)
            elif command == Command.BOOK:
                self.market.on_book(body)
            elif command == Command.SYMBOL_DETAILS:
                self.market.on_details(body)
            elif command == Command.TRADE_UPDATE:
                self._on_trade_update(body)
            elif command == Command.TRADE_RESULT:
                result = self.trading.on_trade_result(body)
                if result is not None:
                    self.hub.publish("trade_result", result)
            elif command == Command.ACCOUNT_UPDATE:
                self._apply_account(body, "push 14 account")
                self._account_changed()
            elif command == Command.SYMBOL_UPDATE:
                names = self.catalog.store(decode_symbol_update(body))
                if names and self.hub.has_subscribers("symbol"):
                    self._spawn(self._publish_symbols(names))
            elif command == Command.TRADE_SERVER_STATE and self._session is not None:
                self.hub.publish("server_state", self._session.on_server_state(body))
            else:
                self.hub.publish("push", (command, bytes(body)))
        except Exception:  # a malformed push must not kill the reader (decoders are typed)
            _log.exception("%s: push %d could not be processed", self.name, command)
            self.hub.errors += 1

    def _on_trade_update(self, body: memoryview) -> None:
        """Push 10 (spec 3.6.3): update positions/orders, then tell subscribers."""
        events = self.account.apply_update(decode_trade_update(body))
        for event in events:
            self.hub.publish("trade", event)
        if any(e.kind in ("deal", "position") for e in events):
            self._account_changed()
        missing = self.account.symbols_in_use() - self.market.subscribed
        if missing:
            self._spawn(self.market.subscribe_ticks(*sorted(missing)))

    def _account_changed(self) -> None:
        if self.hub.has_subscribers("account"):
            self._spawn(self._publish_account())

    async def _publish_account(self) -> None:
        raise NotImplementedError  # provided by the facade

    async def _publish_symbols(self, names: list[str]) -> None:
        raise NotImplementedError  # provided by the facade

    def _apply_account(self, body: memoryview, where: str) -> None:
        block = decode_account(body, where)
        self.account.set_block(block)
        self.catalog.set_overrides(block.trade_settings)
        if self._session is not None:
            self._session.on_account_header(block.header)
        self.market.symbols_count = block.symbols_count

    async def refresh_account(self) -> None:
        """Fetch the account block (cmd 3, spec 3.3)."""
        self._apply_account(await self._request(Command.ACCOUNT), "cmd 3 account")

    async def refresh_positions(self) -> None:
        """Reload positions and orders (cmd 4, spec 3.6.1) and follow their symbols' ticks."""
        self.account.load_snapshot(await self._request(Command.POSITIONS_ORDERS))
        in_use = self.account.symbols_in_use()
        if in_use:
            await self.market.subscribe_ticks(*sorted(in_use))

    # --- health ------------------------------------------------------------------------------

    def health(self) -> Health:
        """State, last ping latency, silence, uptime and reconnect count of the session."""
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
