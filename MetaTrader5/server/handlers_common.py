"""What every command handler shares: the server context, the reply type, small helpers.

The :class:`ServerContext` is the whole running simulator minus the network: the catalogue,
the clock, the deterministic market, the trading engine with its accounts, the registry of
connected sessions and the shared feed pump. ``app.py`` builds one per server; every session
and handler reaches the world only through it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from MetaTrader5.protocol.messages.session import decode_id_list

from ._wirecache import WireCache
from .catalog import Catalog
from .clock import ServerClock
from .config import SimulatorConfig
from .engine import TradingEngine
from .feed import MarketData
from .limits import Limits, LoginGuard
from .state import load_state, save_state
from .symbols import SymbolSpec

if TYPE_CHECKING:
    from .session import Session
    from .stream import StreamPump

__all__ = [
    "SERVER_BUILD",
    "Reply",
    "ServerContext",
    "CloseSession",
    "read_id_list",
]

LOGGER = logging.getLogger("MetaTrader5.server")

#: spec 1.5 [?] / 3.3.1: the build number we report in bootstrap and the account header.
SERVER_BUILD = 5687


class CloseSession(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a handler to end its session cleanly (e.g. cmd 52 after login, spec 3.10)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer: result code (spec 1.7), body, then pushes sent right after it."""

    code: int = 0
    body: bytes | bytearray | memoryview = b""
    pushes: tuple[tuple[int, bytes], ...] = ()


class EngineMarket:
    """The engine's view of the market (``engine.types.MarketView``) over :class:`MarketData`."""

    def __init__(self, market: MarketData) -> None:
        self._market = market
        self._quotes: dict[str, tuple[int, tuple[float, float, int] | None]] = {}

    def spec(self, symbol: str) -> SymbolSpec | None:
        return self._market.catalog.by_name(symbol)

    def specs(self) -> Iterable[SymbolSpec]:
        return self._market.catalog.symbols

    def quote(self, symbol: str) -> tuple[float, float, int] | None:
        if symbol not in self._market.catalog:
            return None
        # The engine asks for the same quotes many times per tick (conversion, margin, stop
        # out); within one millisecond of server time the answer cannot change.
        now = self._market.clock.now_server_ms()
        cached = self._quotes.get(symbol)
        if cached is not None and cached[0] == now:
            return cached[1]
        quote = self._market.quote(symbol)
        self._quotes[symbol] = (now, quote)
        return quote

    def is_trading(self, symbol: str, server_ms: int) -> bool:
        if symbol not in self._market.catalog:
            return False
        return self._market.is_market_open(symbol, server_ms)

    def now_ms(self) -> int:
        return self._market.clock.now_server_ms()


def read_id_list(payload: memoryview, limit: int) -> list[int]:
    """Decode an id list (spec 3.1: u32 count + count x u32), tolerating what the JS tolerates.

    Raises:
        OversizedCountError: the count needs more bytes than the payload has.
    """
    return list(decode_id_list(payload)[:limit])


@dataclass
class ServerContext:
    """The running simulator (everything but the sockets)."""

    config: SimulatorConfig
    clock: ServerClock
    catalog: Catalog
    market: MarketData
    engine: TradingEngine
    state_file: Path | None = None
    sessions: set[Session] = field(default_factory=set)
    by_login: dict[int, set[Session]] = field(default_factory=dict)
    stream: StreamPump | None = None
    #: (balance, credit) last sent per login in an account block (push 14 only on change).
    sent_money: dict[int, tuple[float, float]] = field(default_factory=dict)
    #: Key of the "saved password" blobs handed out by cmd 28 (valid while this server runs).
    blob_secret: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
    #: Protective limits (``limits.py``) and the login lockouts they configure.
    limits: Limits = field(default_factory=Limits)
    login_guard: LoginGuard = field(init=False, repr=False)
    #: Encoded bars and tick pages of complete days and hours (``_wirecache.py``).
    wire_cache: WireCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.login_guard = LoginGuard(self.limits)
        self.wire_cache = WireCache(self.market)

    @classmethod
    def create(
        cls,
        config: SimulatorConfig | None = None,
        *,
        seed: int | None = None,
        state_file: Path | None = None,
        clock: ServerClock | None = None,
        limits: Limits | None = None,
    ) -> ServerContext:
        """Build the market, the engine and the accounts (restored from ``state_file``).

        ``limits`` default to the configuration's ``[limits]`` table.

        The feed pump is attached by the caller (``app.py``) as ``context.stream``.
        """
        if config is None:
            config = SimulatorConfig()
        if seed is not None:
            config = config.with_seed(seed)
        if clock is None:
            clock = ServerClock(config.timezone)
        catalog = config.build_catalog()
        market = config.build_market(clock, catalog)
        engine = TradingEngine(EngineMarket(market))
        if state_file is None and config.state_file is not None:
            state_file = config.state_file
        if state_file is not None and state_file.exists():
            # The saved accounts win (their balances and passwords moved on); accounts the
            # config gained since are added fresh.
            load_state(engine, state_file)
        for account in config.accounts:
            if account.login not in engine.accounts:
                engine.add_account(account)
        return cls(
            config, clock, catalog, market, engine, state_file,
            limits=limits if limits is not None else config.limits,
        )

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self.stream is not None:
            self.stream.start()

    async def stop(self) -> None:
        if self.stream is not None:
            await self.stream.stop()

    def save_state(self) -> None:
        """Write the accounts, ledgers and ticket sequences atomically (if a file is set)."""
        if self.state_file is not None:
            save_state(self.engine, self.state_file)

    # --- sessions ----------------------------------------------------------------------------

    def register(self, session: Session, login: int) -> None:
        """Attach a logged-in session to its account (for trade and account pushes)."""
        self.unregister(session)
        self.sessions.add(session)
        self.by_login.setdefault(login, set()).add(session)
        account = self.engine.account(login)
        # The client loads the account right after login (cmd 3): that is its baseline.
        self.sent_money[login] = (account.balance, account.credit)

    def unregister(self, session: Session) -> None:
        self.sessions.discard(session)
        if session.login is not None:
            peers = self.by_login.get(session.login)
            if peers is not None:
                peers.discard(session)
                if not peers:
                    del self.by_login[session.login]
        if self.stream is not None:
            self.stream.forget(session)

    def sessions_of(self, login: int) -> Iterable[Session]:
        return tuple(self.by_login.get(login, ()))


def random_session_id() -> int:
    """A non-zero u64 session id for the cmd 28 answer (spec 3.8.1)."""
    return int.from_bytes(os.urandom(8), "little") | 1
