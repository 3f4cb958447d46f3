"""One client connection of the simulated server: bootstrap, login, dispatch, outbound queue.

Rules this module implements (spec section in brackets):

* The first message is the bootstrap (cmd 0) under the initial key; we answer with a fresh
  random token and a 16-byte session key and switch keys (1.5, 7.1).
* Requests of one connection are processed strictly one after another, in arrival order, and
  every request is answered with its own command id (1.6, 7.2).
* Every answer and push of a connection goes through one FIFO queue drained by one writer
  task, so a response always precedes the pushes its handler produced (7.3, 7.7) and a slow
  peer never blocks the shared feed pump (ticks are dropped for it instead).
* Commands that need a login, sent before one, get result code :data:`NOT_AUTHORIZED`.
  Unknown and reserved ids, and push-only ids sent as requests, get no answer at all (3.10,
  7.9); the protocol core never counts a push-only id as pending, so its later pushes flow.
  A frame that cannot be decoded or a malformed body closes this connection only.
* A peer that does not read its answers stops being read (we wait for its queue to drain
  before the next request), so pipelined requests cannot grow our memory without bound.
* The protective limits of ``limits.py`` apply here: request size, requests per second
  (answered "too frequent", never executed), bootstrap and idle timeouts.
* The writer sends whatever is queued back to back and flushes once (the frames of one trade
  - answer, pushes 10, 14, 19 - leave together).
* Passwords and OTPs are never logged; the wire dump at DEBUG shows command ids and sizes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection as WebSocket
from websockets.exceptions import ConnectionClosed

from MetaTrader5.constants import TRADE_RETCODE_TOO_MANY_REQUESTS
from MetaTrader5.protocol.assumptions import BOOTSTRAP_TOKEN_LENGTH, SESSION_KEY_LENGTH
from MetaTrader5.protocol.commands import PUSH_ONLY_COMMANDS, Command
from MetaTrader5.protocol.connection import (
    BootstrapRequested,
    Request,
    ServerConnection,
    State,
)
from MetaTrader5.protocol.exceptions import NotReadyError, ProtocolError, UnknownCommandError
from MetaTrader5.protocol.frames import ServerChunks
from MetaTrader5.protocol.messages.session import encode_u32

from .handlers_account import ACCOUNT_HANDLERS
from .handlers_auth import ANONYMOUS_COMMANDS, AUTH_HANDLERS
from .handlers_common import SERVER_BUILD, CloseSession, Reply
from .handlers_history import HISTORY_HANDLERS
from .handlers_market import MARKET_HANDLERS
from .handlers_symbols import SYMBOL_HANDLERS
from .handlers_trading import TRADING_HANDLERS
from .limits import TOO_FREQUENT, TokenBucket

if TYPE_CHECKING:
    from .handlers_common import ServerContext

__all__ = ["Session", "HANDLERS", "NOT_AUTHORIZED", "Handler"]

LOGGER = logging.getLogger("MetaTrader5.server")

#: spec 1.7: code answered to a request that needs a login on a session without one. The
#: real server's choice is unknown [?]; 3 ("invalid account") is what the official UI would
#: show as an authorization error.
NOT_AUTHORIZED = 3

#: spec 1.7: "internal error".
INTERNAL_ERROR = 1

#: WebSocket close codes (RFC 6455 7.4.1).
_CLOSE_GOING_AWAY = 1001
_CLOSE_PROTOCOL_ERROR = 1002
_CLOSE_POLICY = 1008
_CLOSE_TOO_BIG = 1009
#: The answer word of a throttled trade request (spec 3.7.1: code 0, retcode in the u32).
_TOO_MANY_REQUESTS = encode_u32(TRADE_RETCODE_TOO_MANY_REQUESTS)

#: Messages queued for one peer before we start dropping its tick/book pushes.
_MAX_QUEUED = 256
#: Messages longer than this leave as WebSocket fragments of this size (``_send_one``).
_FRAGMENT_SIZE = 1024 * 1024
#: What the writer sends: a whole message, or one to be encrypted as it is sent.
Outbound = bytes | memoryview | ServerChunks

Handler = Callable[["Session", memoryview], Awaitable[Reply | None]]

#: command id -> handler. One table, built from the per-area tables (h11 style).
HANDLERS: dict[int, Handler] = {
    **AUTH_HANDLERS,
    **ACCOUNT_HANDLERS,
    **SYMBOL_HANDLERS,
    **MARKET_HANDLERS,
    **HISTORY_HANDLERS,
    **TRADING_HANDLERS,
}


class Session:
    """The server side of one WebSocket connection, pumping a sans-I/O ``ServerConnection``."""

    def __init__(self, context: ServerContext, websocket: WebSocket) -> None:
        self.context = context
        self.websocket = websocket
        self.connection = ServerConnection()
        self.token = b""
        self.login: int | None = None
        self.investor = False
        self.session_id = 0
        self.tick_ids: frozenset[int] = frozenset()
        self.book_ids: frozenset[int] = frozenset()
        self._queue: asyncio.Queue[Outbound | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        limits = context.limits
        self._limits = limits
        self._opened = time.monotonic()
        self._bucket = TokenBucket(limits.requests_per_second, limits.request_burst, self._opened)
        #: Requests answered "too frequent" instead of executed (limits.py).
        self.throttled = 0
        peer = websocket.remote_address
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        #: The address alone: what login lockouts count per peer.
        self.peer_host = str(peer[0]) if isinstance(peer, tuple) else str(peer)

    # --- outbound ----------------------------------------------------------------------------

    def send(self, command: int, body: bytes | bytearray | memoryview = b"") -> None:
        """Queue a push (spec 1.4: code 0), after everything queued before; never blocks."""
        if self._closing or self.connection.state not in (State.READY, State.LOGGED_IN):
            return
        if LOGGER.isEnabledFor(logging.DEBUG):
            LOGGER.debug("> %s push %d %d bytes", self.peer, command, len(body))
        try:
            message = self.connection.send_push(command, body)
        except NotReadyError:
            # spec 1.6: never push an id while a request of that id is unanswered.
            LOGGER.debug("%s: push %d held back (request pending)", self.peer, command)
            return
        self._queue.put_nowait(message)

    def send_droppable(self, command: int, body: bytes | bytearray | memoryview) -> bool:
        """Queue a market-data push unless the peer is too far behind; returns False if dropped."""
        if self._queue.qsize() >= _MAX_QUEUED:
            return False
        self.send(command, body)
        return True

    def _respond(self, request: Request, code: int, body: bytes | bytearray | memoryview) -> None:
        if self._closing:
            return
        if LOGGER.isEnabledFor(logging.DEBUG):
            LOGGER.debug("> %s cmd %d code %d %d bytes", self.peer, request.command, code,
                         len(body))
        # spec 1.4 [P]: the salt of the request is echoed.
        message = self.connection.send_response(
            request.command, code, body, salt=request.salt, chunk=_FRAGMENT_SIZE
        )
        self._queue.put_nowait(message)

    async def _write_loop(self) -> None:
        queue = self._queue
        while True:
            message = await queue.get()
            if message is None:
                return
            if queue.empty():
                await self._send_one(message)
                continue
            batch = [message]
            end = False
            while not queue.empty():
                item = queue.get_nowait()
                if item is None:
                    end = True
                    break
                batch.append(item)
            await self._send_batch(batch)
            if end:
                return

    async def _send_one(self, message: Outbound) -> None:
        """One message; a large one as WebSocket fragments of ``_FRAGMENT_SIZE``.

        asyncio's socket transport keeps what the kernel did not take in one bytearray and
        drops each sent piece from its front, which moves the rest of the buffer every time:
        a 52 MB answer written as one frame cost 3-4x the time of the same bytes in 1 MiB
        fragments (measured on loopback). The peer's WebSocket layer joins the fragments into
        the one message the protocol defines (RFC 6455 5.4), so nothing changes above that
        layer. Answers come as ``ServerChunks``: each fragment is encrypted just before it
        is written, so the encryption of one overlaps the transfer of the one before.
        """
        if isinstance(message, ServerChunks):
            await self.websocket.send(message)
            return
        size = len(message)
        if size <= _FRAGMENT_SIZE:
            await self.websocket.send(message)
            return
        view = memoryview(message)
        await self.websocket.send([view[at : at + _FRAGMENT_SIZE]
                                   for at in range(0, size, _FRAGMENT_SIZE)])  # fmt: skip

    async def _send_batch(self, batch: list[Outbound]) -> None:
        """Write several messages back to back and wait for the socket once.

        ``send()`` would enter the connection's send context and drain once per message;
        here the frames are queued on the sans-I/O protocol of ``websockets`` and written
        in one pass (falling back to one ``send`` each on a connection without that API, or
        for a large message, which goes in fragments).
        """
        websocket = self.websocket
        context = getattr(websocket, "send_context", None)
        protocol = getattr(websocket, "protocol", None)
        # (a ServerChunks answer is always longer than one fragment)
        if context is None or protocol is None or any(len(m) > _FRAGMENT_SIZE for m in batch):
            for message in batch:
                await self._send_one(message)
            return
        async with context():
            for message in batch:
                protocol.send_binary(message)

    # --- inbound -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve the connection until the peer leaves or breaks the protocol."""
        writer = asyncio.create_task(self._write_loop(), name=f"mt5sim-writer-{self.peer}")
        self._writer = writer
        try:
            while True:
                message = await self._next_message()
                if message is None:
                    return
                if isinstance(message, str):
                    # spec 1.1: binary frames only; a text frame is a broken peer.
                    await self._abort("text frame")
                    return
                if not await self._receive(message):
                    return
                if writer.done():
                    return
        except ConnectionClosed:
            pass
        finally:
            self._closing = True
            self.context.unregister(self)
            self._queue.put_nowait(None)
            with contextlib.suppress(ConnectionClosed, asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(writer, 5.0)
            if not writer.done():
                writer.cancel()

    async def _next_message(self) -> bytes | str | None:
        """The next message, or None once a timeout closed the connection (limits.py)."""
        limits = self._limits
        if self.connection.state is State.BOOTSTRAP:
            timeout, deadline = limits.handshake_timeout, self._opened + limits.handshake_timeout
            reason, code = f"no bootstrap within {timeout:g} s", _CLOSE_POLICY
        else:
            timeout, deadline = limits.idle_timeout, time.monotonic() + limits.idle_timeout
            reason, code = f"idle for {timeout:g} s", _CLOSE_GOING_AWAY
        if timeout <= 0:
            return await self.websocket.recv()
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                return await self.websocket.recv()
        except TimeoutError:
            await self._abort(reason, code=code)
            return None

    async def _receive(self, message: bytes) -> bool:
        """Handle one WebSocket message; False when the connection must end."""
        try:
            events = self.connection.receive_data(message)
        except UnknownCommandError as exc:
            if self.connection.state is State.BOOTSTRAP:
                await self._abort(f"no bootstrap: {exc}")
                return False
            # spec 3.10 / 7.9: an id outside the allow-list (or an extension id that was not
            # announced) gets no answer, like on a real server.
            LOGGER.debug("%s: no answer: %s", self.peer, exc)
            return True
        except ProtocolError as exc:
            await self._abort(f"undecodable frame: {exc}")
            return False
        writer = self._writer
        while self._queue.qsize() > _MAX_QUEUED and writer is not None and not writer.done():
            await asyncio.sleep(0.005)  # backpressure: the socket stops being read meanwhile
        for event in events:
            if isinstance(event, BootstrapRequested):
                self._bootstrap()
            elif isinstance(event, Request):
                if len(event.payload) > self._limits.max_request_bytes:
                    await self._abort(
                        f"cmd {event.command}: {len(event.payload)}-byte request over the "
                        f"{self._limits.max_request_bytes}-byte limit", code=_CLOSE_TOO_BIG
                    )
                    return False
                if not await self._dispatch(event):
                    return False
        return True

    def _bootstrap(self) -> None:
        """spec 1.5 / 7.1: any token is accepted; answer build + new token + session key."""
        self.token = os.urandom(BOOTSTRAP_TOKEN_LENGTH)
        key = os.urandom(SESSION_KEY_LENGTH)
        # Encoded under the initial key; the connection then switches to ``key``.
        self._queue.put_nowait(self.connection.accept_bootstrap(self.token, key, SERVER_BUILD))

    async def _dispatch(self, request: Request) -> bool:
        command = request.command
        if LOGGER.isEnabledFor(logging.DEBUG):
            LOGGER.debug("< %s cmd %d %d bytes", self.peer, command, len(request.payload))
        handler = HANDLERS.get(command)
        allowed = self._bucket.take(time.monotonic())
        if handler is None:
            # spec 3.10 / 7.9: reserved ids get no answer; a push-only id as a request gets
            # none either (the core never counted it as pending, so its pushes still flow).
            if command not in PUSH_ONLY_COMMANDS:
                self.connection.drop_pending(command)
            LOGGER.debug("%s: no answer to cmd %d", self.peer, command)
            return True
        if not allowed:
            # limits.py: "too frequent requests" - answered, never executed.
            self.throttled += 1
            if command == Command.TRADE_REQUEST:
                self._respond(request, 0, _TOO_MANY_REQUESTS)
            else:
                self._respond(request, TOO_FREQUENT, b"")
            return True
        if self.login is None and command not in ANONYMOUS_COMMANDS:
            self._respond(request, NOT_AUTHORIZED, b"")
            return True
        try:
            reply = await handler(self, request.payload)
        except ProtocolError as exc:
            await self._abort(f"malformed cmd {command}: {exc}")
            return False
        except CloseSession as exc:
            await self._abort(str(exc), code=1000)
            return False
        except Exception:
            # A bug of ours must not take the connection down: answer "internal error"
            # (spec 1.7 code 1) and keep serving.
            LOGGER.exception("%s: cmd %d failed", self.peer, command)
            self._respond(request, INTERNAL_ERROR, b"")
            return True
        if reply is not None:
            self._respond(request, reply.code, reply.body)
            for push_command, push_body in reply.pushes:
                self.send(push_command, push_body)
        return True

    def set_login(self, login: int | None) -> None:
        """Record the login verdict in the connection state (spec 1.8)."""
        self.login = login
        state = self.connection.state
        if login is not None and state is State.READY:
            self.connection.mark_logged_in()
        elif login is None and state is State.LOGGED_IN:
            self.connection.mark_logged_out()

    async def _abort(self, reason: str, code: int = _CLOSE_PROTOCOL_ERROR) -> None:
        """Close this connection only, after flushing what is already queued."""
        LOGGER.info("closing session %s: %s", self.peer, reason)
        self._closing = True
        self._queue.put_nowait(None)
        writer = self._writer
        if writer is not None and not writer.done():
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), 2.0)
        with contextlib.suppress(ConnectionClosed):
            await self.websocket.close(code, reason[:100])
