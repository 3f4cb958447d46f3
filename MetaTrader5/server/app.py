"""The simulated trade server's front door: the WebSocket listener and its lifecycles.

Two ways to run it in-process, one per audience:

* :class:`SimulatorServer` - an async context manager for asyncio code (and our tests)::

      async with SimulatorServer() as server:
          print(server.url)          # ws://127.0.0.1:<ephemeral port>/terminal

* :func:`start_simulator` - a handle for synchronous code; the server runs on its own daemon
  thread and event loop (the caller's thread never runs a loop)::

      handle = start_simulator()
      ...  # connect to handle.url
      handle.stop()

The command line (``python -m MetaTrader5 sim``) lives in :mod:`.cli`. One connection is one
:class:`.session.Session`; the shared market-data pump is :class:`.stream.StreamPump`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import ssl
import threading
import time
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from ._websocket import BatchingConnection
from .clock import ServerClock
from .config import SimulatorConfig
from .handlers_common import ServerContext
from .limits import Limits
from .session import Session
from .stream import StreamPump

__all__ = [
    "SimulatorServer",
    "SimulatorHandle",
    "start_simulator",
    "make_ssl_context",
    "is_loopback",
    "quiet_disconnects",
]

LOGGER = logging.getLogger("MetaTrader5.server")

#: spec 1.1: the official client connects to ``wss://<host>/terminal``; we serve every path
#: but advertise this one.
URL_PATH = "/terminal"

#: How often the state file is rewritten while the server runs (seconds).
STATE_SAVE_INTERVAL = 30.0
#: RFC 6455 7.4.1: "try again later", for a connection over the session limit.
_CLOSE_TRY_AGAIN_LATER = 1013
#: Seconds between two warnings about refused connections (a flood must not flood the log).
_REFUSAL_LOG_INTERVAL = 10.0


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_ssl_context(certfile: str | Path, keyfile: str | Path | None = None) -> ssl.SSLContext:
    """Build a server-side TLS context from a PEM certificate (and key) for ``wss://``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(certfile), None if keyfile is None else str(keyfile))
    return context


class SimulatorServer:
    """The simulated Web Terminal gateway, as an async context manager.

    Args:
        config: market, accounts and time-zone settings; ``None`` = the built-in demo setup.
        host: interface to bind; ``127.0.0.1`` by default (anything else logs a warning,
            because the simulator has demo passwords and is not meant for the network).
        port: TCP port; 0 picks a free ephemeral port (see :attr:`url`).
        seed: seed of the deterministic price paths; ``None`` keeps the config's seed.
        state_file: where accounts, positions, orders and history are kept across restarts
            (loaded on start, saved periodically and atomically on stop).
        ssl_context: serve ``wss://`` with this TLS context.
        certfile, keyfile: alternatively, PEM files to build the TLS context from.
        state_save_interval: seconds between periodic state saves (0 = only on stop).
        clock: the server clock (tests pass one with a fixed or shifted "now"); by default
            real time in the configured time zone.
        limits: protective limits (frame size, sessions, request rate, login lockouts,
            handshake and idle timeouts; see :mod:`.limits`); ``None`` = the configuration's
            ``[limits]`` table, whose defaults suit one machine.
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        state_file: str | Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
        certfile: str | Path | None = None,
        keyfile: str | Path | None = None,
        state_save_interval: float = STATE_SAVE_INTERVAL,
        clock: ServerClock | None = None,
        limits: Limits | None = None,
    ) -> None:
        if ssl_context is None and certfile is not None:
            ssl_context = make_ssl_context(certfile, keyfile)
        self._config = config
        self._host = host
        self._port = port
        self._seed = seed
        self._state_file = None if state_file is None else Path(state_file)
        self._ssl = ssl_context
        self._save_interval = state_save_interval
        self._clock = clock
        self._limits = limits
        self._server: Server | None = None
        self._context: ServerContext | None = None
        self._saver: asyncio.Task[None] | None = None
        self._url = ""
        #: Connections being served now (limits.max_sessions) and refused so far.
        self.active_sessions = 0
        self.refused_sessions = 0
        self._refusal_logged = -_REFUSAL_LOG_INTERVAL

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the market and accounts, start the feed pump and begin listening."""
        if self._server is not None:
            return
        if not is_loopback(self._host):
            LOGGER.warning(
                "SIMULATOR BOUND TO %s: it is reachable from other machines; it has demo "
                "accounts with published passwords. Bind 127.0.0.1 unless you mean it.",
                self._host,
            )
        context = ServerContext.create(
            self._config,
            seed=self._seed,
            state_file=self._state_file,
            clock=self._clock,
            limits=self._limits,
        )
        limits = context.limits
        context.stream = StreamPump(context)
        self._context = context
        await context.start()
        self._server = await serve(
            self._handle,
            self._host,
            self._port,
            ssl=self._ssl,
            process_request=self._admit,
            # limits.py: the transport never buffers more than this from a client.
            max_size=limits.max_message_bytes,
            open_timeout=limits.handshake_timeout or None,
            compression=None,
            # spec 1.1: keepalive is the application ping (cmd 51), not WebSocket pings.
            ping_interval=None,
            max_queue=64,
            # Bounded shutdown even when peers vanish without a closing handshake.
            close_timeout=2.0,
            create_connection=BatchingConnection,
        )
        port = self._server.sockets[0].getsockname()[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        scheme = "wss" if self._ssl is not None else "ws"
        self._url = f"{scheme}://{host}:{port}{URL_PATH}"
        if context.state_file is not None and self._save_interval > 0:
            self._saver = asyncio.create_task(self._save_periodically(), name="mt5sim-state")
        LOGGER.info("simulator listening on %s", self._url)

    async def stop(self) -> None:
        """Close every session, stop the pump and save the state (atomically)."""
        server, self._server = self._server, None
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        if server is not None:
            server.close(close_connections=True)
            await server.wait_closed()
        if self._context is not None:
            await self._context.stop()
            self._context.save_state()
        LOGGER.info("simulator stopped")

    async def __aenter__(self) -> SimulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- properties --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``ws://host:port/terminal`` (``wss://`` with TLS); empty before :meth:`start`."""
        return self._url

    @property
    def context(self) -> ServerContext:
        """The running market, engine and sessions (for embedding and tests)."""
        if self._context is None:
            raise RuntimeError("the simulator is not started")
        return self._context

    # --- internals ---------------------------------------------------------------------------

    def _full(self) -> bool:
        limit = self._context.limits.max_sessions if self._context is not None else 0
        return 0 < limit <= self.active_sessions

    def _refused(self, peer: object) -> None:
        self.refused_sessions += 1
        now = time.monotonic()
        if now - self._refusal_logged >= _REFUSAL_LOG_INTERVAL:
            self._refusal_logged = now
            LOGGER.warning(
                "session limit reached (%d): refused a connection from %s (%d refused so far)",
                self.active_sessions, peer, self.refused_sessions,
            )

    def _admit(self, websocket: ServerConnection, request: Request) -> Response | None:
        """Refuse the upgrade with HTTP 503 while the session limit is reached."""
        del request
        if not self._full():
            return None
        self._refused(websocket.remote_address)
        response = websocket.respond(HTTPStatus.SERVICE_UNAVAILABLE, "too many sessions\n")
        response.headers["Retry-After"] = "5"
        return response

    async def _handle(self, websocket: ServerConnection) -> None:
        if self._context is None:
            return
        if self._full():
            # Upgrades that raced past _admit: the limit is a hard bound.
            self._refused(websocket.remote_address)
            with contextlib.suppress(ConnectionClosed):
                await websocket.close(_CLOSE_TRY_AGAIN_LATER, "too many sessions")
            return
        self.active_sessions += 1
        try:
            await Session(self._context, websocket).run()
        finally:
            self.active_sessions -= 1

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._save_interval)
            if self._context is not None:
                try:
                    self._context.save_state()
                except OSError:
                    LOGGER.exception("periodic state save failed")


def quiet_disconnects(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Peers that vanish mid-write make asyncio report ENOTCONN from a transport callback;
    that is a normal disconnect for a server, not an error worth a traceback."""
    exc = context.get("exception")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOTCONN, errno.EPIPE, errno.ECONNRESET):
        LOGGER.debug("peer disconnected: %s", exc)
        return
    loop.default_exception_handler(context)


class SimulatorHandle:
    """A simulator running on its own daemon thread and event loop (see :func:`start_simulator`)."""

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="mt5sim", daemon=True)

    def _start(self, timeout: float) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the simulator did not start in time")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(quiet_disconnects)
        try:
            self._loop.run_until_complete(self.server.start())
        except BaseException as exc:  # reported to the starting thread, which re-raises it
            self._error = exc
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        return self.server.url

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop (to schedule work on it with ``run_coroutine_threadsafe``)."""
        return self._loop

    def call(self, coro: Any, timeout: float = 10.0) -> Any:
        """Run a coroutine on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down cleanly (sessions closed, state saved); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._loop.is_closed():
            return
        future = asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop)
        try:
            future.result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_simulator(
    config: SimulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = None,
    state_file: str | Path | None = None,
    ssl_context: ssl.SSLContext | None = None,
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
    clock: ServerClock | None = None,
    limits: Limits | None = None,
    timeout: float = 30.0,
) -> SimulatorHandle:
    """Start the simulator on a background thread and return once it listens.

    Same arguments as :class:`SimulatorServer`. The returned handle has ``.url`` and
    ``.stop()`` and is a context manager.
    """
    server = SimulatorServer(
        config,
        host=host,
        port=port,
        seed=seed,
        state_file=state_file,
        ssl_context=ssl_context,
        certfile=certfile,
        keyfile=keyfile,
        clock=clock,
        limits=limits,
    )
    handle = SimulatorHandle(server)
    handle._start(timeout)
    return handle
