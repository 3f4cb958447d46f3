"""The WebSocket transport: bootstrap, request/response correlation, pushes, heartbeat.

Rules (spec section in brackets):

* Bootstrap (1.5): cmd 0 with the 64-byte token under the initial key; the answer carries the
  session key, used for everything afterwards in both directions.
* Correlation (1.6): matching is by command id only. Per command id at most one request is in
  flight; later ones wait in FIFO order (an ``asyncio.Lock`` per id, which is FIFO-fair). The
  future of the request in flight is the value of ``self._pending[command]``: ONE dict holds
  every waiting request, and the entry is removed on answer, timeout, cancellation and
  connection loss alike, so nothing is ever left behind.
* Any message whose id has a request in flight resolves it; every other message is a push
  and goes to ``on_push``. A late answer to a timed-out request is therefore seen as a push
  (the protocol has no request ids; the official client behaves the same).
* Heartbeat (1.8): after login, cmd 51 every ``ping_interval`` s; if no ping succeeded for
  ``ping_timeout`` s the socket is closed as lost.
* Lifecycle: new -> connecting -> ready -> closing -> closed. ``on_disconnect`` runs exactly
  once per transport, whichever of a remote close, a network error, a heartbeat expiry or a
  local ``close()`` comes first; the error passed says which.
* TLS certificates are verified by default; ``verify_tls=False`` must be explicit and logs a
  warning. Wire dumps (DEBUG) show command ids, codes and sizes, never payloads.

Framing, crypto, the key switch and response/push classification are the protocol core's
``ClientConnection`` (sans-I/O); this module is the asyncio pump around it. A request that
timed out stays "in flight" for the core; its late answer arrives as a ``Response`` and is
discarded here as an *orphan* (``_orphans[command]``), so it cannot resolve a later request of
the same id (spec 1.6: the server answers one id in order). An orphan is forgotten after
``ORPHAN_GRACE`` times the timeout that request had (at least ``ORPHAN_MIN_S``), so a server
that never answers one request does not shift every later answer of that id for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection as WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidHandshake, InvalidURI
from websockets.typing import Origin

from MetaTrader5.protocol import (
    BootstrapCompleted,
    ClientConnection,
    Command,
    Event,
    ExtensionAnnounced,
    Push,
    Response,
)
from MetaTrader5.protocol.assumptions import BOOTSTRAP_TOKEN_LENGTH, MAX_MESSAGE_SIZE
from MetaTrader5.protocol.exceptions import FrameError, ProtocolError

from ._receive import receive_events
from .errors import (
    ClientConnectionError,
    ConnectionClosedError,
    ConnectionLostError,
    NotConnectedError,
    RequestTimeoutError,
    ServerError,
)
from .health import HealthMonitor
from .ratelimit import TokenBucket

__all__ = ["Transport", "PushHandler", "DisconnectHandler"]

_log = logging.getLogger("MetaTrader5.client")

#: spec 1.6: default request timeout of the official client.
DEFAULT_TIMEOUT = 30.0
#: An unanswered request's late answer is expected within this many times its timeout.
ORPHAN_GRACE = 4.0
ORPHAN_MIN_S = 1.0

PushHandler = Callable[[int, int, memoryview], None]
ExtensionHandler = Callable[[ExtensionAnnounced], None]
DisconnectHandler = Callable[[BaseException], None]


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class Transport:
    """One WebSocket connection to a Web Terminal gateway (not reusable after close)."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        request_timeout: float = DEFAULT_TIMEOUT,
        verify_tls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        origin: str | None = None,
        rate_limiter: TokenBucket | None = None,
        ping_interval: float = 5.0,
        ping_timeout: float = 15.0,
        health: HealthMonitor | None = None,
        name: str = "client",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("the Web Terminal URL must start with ws:// or wss://")
        self.url = url
        self.name = name
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.rate_limiter = rate_limiter
        self.health = health or HealthMonitor()
        # spec 1.1: a browser sends the page's own origin; send it, the server may check it.
        self.origin = origin or f"https://{parts.hostname or 'localhost'}"
        self._ssl: ssl.SSLContext | None = None
        if parts.scheme == "wss":
            if not verify_tls:
                _log.warning("%s: TLS certificate verification is DISABLED for %s", name, url)
            self._ssl = ssl_context or _tls_context(verify_tls)
        self.state = "new"
        self.token = bytes(BOOTSTRAP_TOKEN_LENGTH)
        self.bootstrap_build = 0
        self.connection = ClientConnection()
        self._ws: WebSocket | None = None
        self._pending: dict[int, asyncio.Future[memoryview]] = {}
        self._orphans: dict[int, deque[float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._reader: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._finished = False
        self._closed_event = asyncio.Event()
        self.close_reason: BaseException | None = None
        self.on_push: PushHandler | None = None
        self.on_disconnect: DisconnectHandler | None = None
        self.on_extension: ExtensionHandler | None = None

    def __repr__(self) -> str:
        return f"<Transport {self.name} {self.url} {self.state}>"

    @property
    def pending_count(self) -> int:
        """Requests waiting for an answer (the size of the one dict)."""
        return len(self._pending)

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    # --- opening ---------------------------------------------------------------------------

    async def open(self, token: bytes | None = None) -> None:
        """Connect and bootstrap (spec 1.5); ``token`` resumes a previous session.

        Raises:
            NotConnectedError: the socket could not be opened in time.
            ProtocolError: the bootstrap answer is malformed or rejected.
        """
        if self.state != "new":
            raise NotConnectedError(f"transport is {self.state}; create a new one")
        self.state = "connecting"
        try:
            async with asyncio.timeout(self.connect_timeout):
                self._ws = await connect(
                    self.url,
                    origin=Origin(self.origin),
                    ssl=self._ssl,
                    open_timeout=None,
                    ping_interval=None,  # spec 1.1: keepalive is cmd 51, not WS pings
                    max_size=MAX_MESSAGE_SIZE,
                    compression=None,
                )
                await self._bootstrap(token or bytes(BOOTSTRAP_TOKEN_LENGTH))
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
            await self._abort_open()
            raise NotConnectedError(f"cannot connect to {self.url}: {exc!r}") from exc
        except BaseException:
            await self._abort_open()
            raise
        self.state = "ready"
        self.health.connected()
        self._reader = asyncio.create_task(self._read_loop(), name=f"{self.name}-reader")

    async def _abort_open(self) -> None:
        self.state = "closed"
        self._finished = True
        self._closed_event.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def _bootstrap(self, token: bytes) -> None:
        ws = self._ws
        if ws is None:  # pragma: no cover - open() sets it first
            raise NotConnectedError("no socket")
        await ws.send(self.connection.start(token))
        events = self.connection.receive_data(await ws.recv(decode=False))
        done = events[0] if events else None
        if not isinstance(done, BootstrapCompleted):
            raise FrameError("the bootstrap answer did not complete the bootstrap")
        self.token = done.token
        self.bootstrap_build = done.server_build
        _log.debug("%s < bootstrap ok, %d-byte session key", self.name, len(done.session_key))

    # --- requests ----------------------------------------------------------------------------

    def _lock(self, command: int) -> asyncio.Lock:
        lock = self._locks.get(command)
        if lock is None:
            lock = self._locks[command] = asyncio.Lock()
        return lock

    async def request(
        self,
        command: int,
        payload: bytes = b"",
        timeout: float | None = None,
        *,
        limited: bool = True,
    ) -> memoryview:
        """Send one request and return the body of its answer.

        The timeout covers the wait for earlier requests of the same id (spec 1.6 FIFO), the
        rate limiter and the answer itself.

        Raises:
            NotConnectedError / ConnectionClosedError / ConnectionLostError: no usable session.
            RequestTimeoutError: no answer within ``timeout`` (default ``request_timeout``).
            ServerError: the answer's result code is non-zero (spec 1.7).
        """
        limit = self.request_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                async with self._lock(command):
                    self._check_ready()
                    if limited and self.rate_limiter is not None:
                        await self.rate_limiter.acquire()
                        self._check_ready()
                    return await self._exchange(command, payload, limit)
        except TimeoutError:
            raise RequestTimeoutError(command, limit) from None

    async def _exchange(self, command: int, payload: bytes, limit: float) -> memoryview:
        ws = self._ws
        if ws is None:
            raise NotConnectedError("not connected")
        future: asyncio.Future[memoryview] = asyncio.get_running_loop().create_future()
        self._pending[command] = future
        sent = False
        try:
            message = self.connection.send_request(command, payload)
            sent = True
            _log.debug("%s > cmd %d, %d bytes", self.name, command, len(payload))
            try:
                await ws.send(message)
            except ConnectionClosed as exc:
                raise self._lost(exc) from exc
            return await future
        finally:
            # Removed on answer, timeout, cancellation and loss alike (house rule 5).
            if self._pending.get(command) is future:
                del self._pending[command]
                if sent and self.state == "ready":
                    # Sent but unanswered: its answer, if it ever comes, is an orphan.
                    deadline = time.monotonic() + max(ORPHAN_GRACE * limit, ORPHAN_MIN_S)
                    self._orphans.setdefault(command, deque()).append(deadline)
            if not future.done():
                future.cancel()

    def _take_orphan(self, command: int) -> bool:
        """True if an answer of ``command`` belongs to a request that already gave up."""
        orphans = self._orphans.get(command)
        if not orphans:
            return False
        now = time.monotonic()
        while orphans and orphans[0] < now:
            orphans.popleft()  # expired: that request was never answered
        if not orphans:
            del self._orphans[command]
            return False
        orphans.popleft()
        return True

    def _check_ready(self) -> None:
        if self.state == "ready":
            return
        if self.close_reason is not None:
            raise type(self.close_reason)(str(self.close_reason))
        raise NotConnectedError(f"transport is {self.state}")

    def _lost(self, exc: BaseException) -> ClientConnectionError:
        if isinstance(self.close_reason, ClientConnectionError):
            return self.close_reason
        return ConnectionLostError(f"connection lost: {exc!r}")

    # --- receiving ---------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        ws = self._ws
        reason: BaseException
        try:
            if ws is None:  # pragma: no cover
                raise ConnectionLostError("no socket")
            try:
                while True:
                    events = await receive_events(ws, self.connection)
                    if events is not None:
                        self._dispatch_events(events)
            except ConnectionClosedOK:
                reason = ConnectionLostError(
                    f"server closed the connection (code {ws.close_code}, {ws.close_reason!r})"
                )
        except ConnectionClosed as exc:
            reason = ConnectionLostError(f"connection lost: {exc!r}")
        except ProtocolError as exc:
            _log.error("%s: undecodable frame from the server, closing: %s", self.name, exc)
            reason = exc
        except asyncio.CancelledError:
            reason = ConnectionClosedError("closed")
        except Exception as exc:  # a socket-level failure we did not anticipate
            _log.exception("%s: reader failed", self.name)
            reason = ConnectionLostError(f"connection lost: {exc!r}")
        if self.state == "closing":
            reason = ConnectionClosedError("closed by the client")
        self._finish(reason)
        if ws is not None and not isinstance(reason, ConnectionClosedError):
            with contextlib.suppress(Exception):
                await ws.close()

    def _dispatch(self, message: bytes) -> None:
        self._dispatch_events(self.connection.receive_data(message))

    def _dispatch_events(self, events: list[Event]) -> None:
        self.health.message_received()
        for event in events:
            if isinstance(event, Response):
                self._answer(event)
            elif isinstance(event, Push):
                self._push(event.command, 0, event.body)
            elif isinstance(event, ExtensionAnnounced):
                _log.debug("%s < extension v%d, capabilities %d",
                           self.name, event.version, event.capabilities)  # fmt: skip
                if self.on_extension is not None:
                    self.on_extension(event)

    def _answer(self, event: Response) -> None:
        command, code, body = event.command, event.code, event.body
        _log.debug("%s < cmd %d code %d, %d bytes", self.name, command, code, len(body))
        if self._take_orphan(command):
            # spec 1.6: answers of one id come in order; this one belongs to a request that
            # already timed out, never to the one waiting now.
            return
        future = self._pending.pop(command, None)
        if future is None:
            self._push(command, code, body)
            return
        if not future.done():
            if code:
                future.set_exception(ServerError(command, code))
            else:
                future.set_result(body)

    def _push(self, command: int, code: int, body: memoryview) -> None:
        _log.debug("%s < push %d, %d bytes", self.name, command, len(body))
        handler = self.on_push
        if handler is not None:
            try:
                handler(command, code, body)
            except Exception:
                # Push handlers isolate their own callbacks; this guards the reader itself.
                _log.exception("%s: push handler failed on command %d", self.name, command)

    # --- heartbeat ---------------------------------------------------------------------------

    def start_heartbeat(self) -> None:
        """Start cmd 51 pings (spec 1.8); called by the session after login."""
        if self._heartbeat is None and self.state == "ready":
            self._heartbeat = asyncio.create_task(self._beat(), name=f"{self.name}-heartbeat")

    async def _beat(self) -> None:
        ping: asyncio.Task[None] | None = None
        while self.state == "ready":
            await asyncio.sleep(self.ping_interval)
            since = self.health.since_ping_ok()
            if since is not None and since > self.ping_timeout:
                _log.warning("%s: no ping answered for %.1f s, closing", self.name, since)
                await self._drop(ConnectionLostError(f"heartbeat: no answer for {since:.1f} s"))
                return
            if ping is None or ping.done():
                ping = asyncio.create_task(self._ping())

    async def _ping(self) -> None:
        start = time.monotonic()
        with contextlib.suppress(RequestTimeoutError, ClientConnectionError, ServerError):
            await self.request(Command.PING, b"", self.ping_timeout, limited=False)
            self.health.ping_answered(time.monotonic() - start)

    # --- closing -----------------------------------------------------------------------------

    def _finish(self, reason: BaseException) -> None:
        """Fail every waiter and run on_disconnect, exactly once."""
        if self._finished:
            return
        self._finished = True
        self.state = "closed"
        self.close_reason = reason
        if self.connection.state.value != "closed":
            self.connection.close()
        self.health.disconnected()
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(
                    reason if isinstance(reason, ClientConnectionError) else self._lost(reason)
                )
        if self._heartbeat is not None and self._heartbeat is not asyncio.current_task():
            self._heartbeat.cancel()
        self._closed_event.set()
        handler = self.on_disconnect
        if handler is not None:
            try:
                handler(reason)
            except Exception:
                _log.exception("%s: on_disconnect handler failed", self.name)

    async def _drop(self, reason: BaseException) -> None:
        self._finish(reason)
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def close(self) -> None:
        """Close the socket; idempotent and safe to race with a remote close."""
        if self.state in ("new", "closed") and self._reader is None:
            self.state = "closed"
            self._finished = True
            return
        if self.state == "ready":
            self.state = "closing"
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None and self._reader is not asyncio.current_task():
            try:
                await asyncio.wait_for(asyncio.shield(self._reader), 5.0)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()
        self._finish(ConnectionClosedError("closed by the client"))
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(BaseException):
                await self._heartbeat

    async def wait_closed(self) -> BaseException | None:
        await self._closed_event.wait()
        return self.close_reason

    @property
    def tick_history_available(self) -> bool:
        """True once the server announced the tick-history extension."""
        return self.connection.tick_history_available

    def stats(self) -> dict[str, Any]:
        orphans = sum(map(len, self._orphans.values()))
        return {"pending": len(self._pending), "state": self.state, "orphans": orphans}
