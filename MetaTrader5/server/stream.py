"""The live feed: one pump for all sessions, ticks (push 8) and books (push 23) every ~100 ms.

Each step takes, for every symbol somebody needs (a tick or book subscriber, or an open
position or order that a quote can trigger), the ticks of the deterministic path since the
previous step (``MarketData.ticks_since``), so what streams live is exactly what history later
returns. The ticks are encoded once per symbol; every session then gets one push 8 made of the
records of *its* subscribed symbols (spec 3.5.1, replace semantics of cmd 7). Book subscribers
get a full snapshot per changed symbol with ``books_flags = 2`` (spec 3.5.4, 7.5).

Session statistics (push 17) start from the day's ticks so far. Late in the server day that
is tens of thousands of ticks per symbol (about 1.4 s for every symbol of the catalogue), so
a subscription builds them hour by hour, yielding to the event loop between hours: other
sessions and the pump keep running meanwhile (one build per symbol, shared by concurrent
subscribers).

The last tick of each symbol is fed to the engine (``on_quote``) so pending orders, SL/TP,
expirations and stop-outs trigger from the live feed; the resulting events are pushed to the
sessions of their accounts (push 10/14, :mod:`.pushes`). The engine's daily rollover runs when
the server day changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from MetaTrader5.constants import TICK_FLAG_ASK, TICK_FLAG_BID
from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.schemas.market import Tick
from MetaTrader5.records import TICKS_DTYPE

from .handlers_account import encode_account_block
from .handlers_market import DayStats, encode_book_push, encode_details, encode_tick_records
from .pushes import push_events

if TYPE_CHECKING:
    from .engine.types import TradeEvent
    from .feed import MarketData
    from .handlers_common import ServerContext
    from .session import Session
    from .symbols import SymbolSpec

__all__ = ["StreamPump", "STEP_SECONDS"]

LOGGER = logging.getLogger("MetaTrader5.server")

#: Feed period: the official client expects a lively feed; 100 ms is what brokers do.
STEP_SECONDS = 0.1
#: Steps between two session-statistics pushes (push 17).
DETAILS_EVERY = 10
_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
TICK_RECORD_SIZE = Tick.SIZE


async def build_day_stats(market: MarketData, spec: SymbolSpec, now_ms: int) -> DayStats:
    """``DayStats.start`` without blocking the loop: the day's ticks one hour at a time, then
    the ticks that arrived meanwhile (folding a tick twice is harmless: max, min, last)."""
    day = now_ms // _DAY_MS
    stats = DayStats.start(market, spec, day * _DAY_MS)  # previous close, no ticks yet
    stats.day = day
    start = day * _DAY_MS
    while start <= now_ms:
        end = min(now_ms, (start // _HOUR_MS + 1) * _HOUR_MS - 1)
        stats.update(market.ticks(spec.name, start, end))
        start = end + 1
        await asyncio.sleep(0)
    later = market.now_ms()
    if later > now_ms and later // _DAY_MS == day:
        stats.update(market.ticks(spec.name, now_ms + 1, later))
    return stats


class StreamPump:
    """The shared market-data pump of one server."""

    def __init__(self, context: ServerContext, step: float = STEP_SECONDS) -> None:
        self._context = context
        self._step = step
        self._ticks: dict[Session, frozenset[int]] = {}
        self._books: dict[Session, frozenset[int]] = {}
        self._last_ms: dict[int, int] = {}
        self._day = -1
        self._stats: dict[int, DayStats] = {}
        self._dirty: set[int] = set()
        self._zone_fields: tuple[int, int] | None = None
        self._building: dict[int, asyncio.Task[DayStats]] = {}
        self._task: asyncio.Task[None] | None = None
        #: Counters for the benchmark script: steps run, tick records and messages sent.
        self.steps = 0
        self.ticks_sent = 0
        self.messages_sent = 0

    # --- subscriptions (replace semantics, spec 3.5.1 / 3.5.4) --------------------------------

    async def set_ticks(
        self, session: Session, symbol_ids: frozenset[int]
    ) -> tuple[bytes, bytes]:
        """Make ``symbol_ids`` the session's complete tick subscription.

        Returns the push 8 body with the current quote and the push 17 body with the session
        statistics of every newly added symbol (the caller sends both right after the cmd 7
        answer: the official UI shows a price at once). Statistics not built yet are built
        without blocking other sessions (:func:`build_day_stats`).
        """
        old = self._ticks.get(session, frozenset())
        if symbol_ids:
            self._ticks[session] = symbol_ids
        else:
            self._ticks.pop(session, None)
        self._start_feed(symbol_ids)
        new = sorted(symbol_ids - old)
        ticks = b"".join(self._current_tick(symbol_id) for symbol_id in new)
        for symbol_id in new:
            await self._ensure_stats(symbol_id)
        details = b"".join(self._details(symbol_id) for symbol_id in new)
        return ticks, details

    async def _ensure_stats(self, symbol_id: int) -> None:
        context = self._context
        spec = context.catalog.by_id(symbol_id)
        now = context.clock.now_server_ms()
        stats = self._stats.get(symbol_id)
        if spec is None or (stats is not None and stats.day == now // _DAY_MS):
            return
        task = self._building.get(symbol_id)
        if task is None:
            task = asyncio.create_task(build_day_stats(context.market, spec, now))
            self._building[symbol_id] = task
            task.add_done_callback(lambda _: self._building.pop(symbol_id, None))
        # shielded: a subscriber that goes away must not cancel the build others wait for
        stats = await asyncio.shield(task)
        current = self._stats.get(symbol_id)
        if current is None or current.day < stats.day:
            self._stats[symbol_id] = stats

    def _details(self, symbol_id: int, ticks: np.ndarray | None = None) -> bytes:
        """The push 17 record of a symbol, its day statistics brought up to date first."""
        context = self._context
        spec = context.catalog.by_id(symbol_id)
        if spec is None:
            return b""
        now = context.clock.now_server_ms()
        stats = self._stats.get(symbol_id)
        if stats is None or stats.day != now // _DAY_MS:
            stats = self._stats[symbol_id] = DayStats.start(context.market, spec, now)
        elif ticks is not None:
            stats.update(ticks)
        return encode_details(spec, stats) if stats.time_msc else b""

    def set_books(self, session: Session, symbol_ids: frozenset[int]) -> bytes:
        """Make ``symbol_ids`` the session's complete book subscription.

        Returns the push 23 body with snapshots of the newly added symbols (empty if none).
        """
        old = self._books.get(session, frozenset())
        if symbol_ids:
            self._books[session] = symbol_ids
        else:
            self._books.pop(session, None)
        self._start_feed(symbol_ids)
        new = symbol_ids - old
        if not new:
            return b""
        return self._book_body(sorted(new), self._context.clock.now_server_ms())

    def track(self, symbol: str) -> None:
        """Start feeding ``symbol`` from now (an order or position on it was just created)."""
        spec = self._context.catalog.by_name(symbol)
        if spec is not None:
            self._start_feed((spec.symbol_id,))

    def _start_feed(self, symbol_ids: Iterable[int]) -> None:
        # The subscriber has the quote of "now": the feed continues from there, even if the
        # clock moves before the pump's next step.
        now = self._context.clock.now_server_ms()
        for symbol_id in symbol_ids:
            self._last_ms.setdefault(symbol_id, now)

    def forget(self, session: Session) -> None:
        """Drop a closed session's subscriptions."""
        self._ticks.pop(session, None)
        self._books.pop(session, None)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="mt5sim-stream")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += self._step
            try:
                self.step()
            except Exception:  # one bad step must not stop the feed for everybody
                LOGGER.exception("feed step failed")
            delay = deadline - loop.time()
            if delay < 0:
                # Overloaded: skip the missed steps instead of bursting to catch up.
                deadline = loop.time()
                delay = 0
            await asyncio.sleep(delay)

    # --- one step ----------------------------------------------------------------------------

    def _exposure(self) -> set[str]:
        """Names of the symbols with an open position or order on some account."""
        names: set[str] = set()
        for ledger in self._context.engine.ledgers.values():
            names.update(p.symbol for p in ledger.positions.values())
            names.update(o.symbol for o in ledger.orders.values())
        return names

    def _wanted(self, exposure: set[str]) -> set[int]:
        wanted: set[int] = set()
        for ids in self._ticks.values():
            wanted |= ids
        for ids in self._books.values():
            wanted |= ids
        for name in exposure:
            spec = self._context.catalog.by_name(name)
            if spec is not None:
                wanted.add(spec.symbol_id)
        return wanted

    def step(self) -> None:
        """Advance the feed to the server clock's now and push what is new."""
        context = self._context
        now = context.clock.now_server_ms()
        self.steps += 1
        self._rollover(now)
        self._zone_switch()
        exposure = self._exposure()
        records: dict[int, bytes] = {}
        events: list[TradeEvent] = []
        wanted = self._wanted(exposure)
        for symbol_id in [i for i in self._last_ms if i not in wanted]:
            del self._last_ms[symbol_id]  # a later subscription starts afresh, no backlog
            self._stats.pop(symbol_id, None)
        for symbol_id in wanted:
            spec = context.catalog.by_id(symbol_id)
            if spec is None:
                continue
            last = self._last_ms.get(symbol_id)
            self._last_ms[symbol_id] = max(now, last or now)
            if last is None or now <= last:
                continue
            ticks = context.market.ticks_since(spec.name, last, now)
            if len(ticks) == 0:
                continue
            records[symbol_id] = encode_tick_records(spec, ticks)
            if symbol_id in self._stats:
                self._details(symbol_id, ticks)
                self._dirty.add(symbol_id)
            if spec.name in exposure:
                # Every tick, not just the last: a limit or stop crossed and left between
                # two steps must still trigger (the engine sees the path the client sees).
                on_quote = context.engine.on_quote
                for bid, ask, msc in zip(
                    ticks["bid"].tolist(),
                    ticks["ask"].tolist(),
                    ticks["time_msc"].tolist(),
                    strict=True,
                ):
                    events.extend(on_quote(spec.name, bid, ask, msc))
        if events:
            push_events(context, events)
        if self.steps % DETAILS_EVERY == 0:
            self._push_details()
        if not records:
            return
        changed = frozenset(records)
        for session, ids in self._ticks.items():
            mine = ids & changed
            if not mine:
                continue
            body = b"".join(records[symbol_id] for symbol_id in sorted(mine))
            if session.send_droppable(Command.TICKS, body):
                self.messages_sent += 1
                self.ticks_sent += len(body) // TICK_RECORD_SIZE
        if self._books:
            self._push_books(changed, now)

    def _push_details(self) -> None:
        """Session statistics of the symbols that moved, at most once per DETAILS_EVERY steps
        (spec 3.5.2 leaves the rate open; once a second keeps the message count low)."""
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        records = {i: self._details(i) for i in dirty}
        for session, ids in self._ticks.items():
            mine = sorted(ids & dirty)
            if mine:
                session.send_droppable(Command.SYMBOL_DETAILS, b"".join(records[i] for i in mine))

    def _push_books(self, changed: frozenset[int], now: int) -> None:
        cache: dict[frozenset[int], bytes] = {}
        for session, ids in self._books.items():
            mine = ids & changed
            if not mine:
                continue
            body = cache.get(mine)
            if body is None:
                body = cache[mine] = self._book_body(sorted(mine), now)
            if body:
                session.send_droppable(Command.BOOK, body)

    def _book_body(self, symbol_ids: list[int], now: int) -> bytes:
        context = self._context
        snapshots = []
        for symbol_id in symbol_ids:
            spec = context.catalog.by_id(symbol_id)
            if spec is None:
                continue
            snapshots.append((spec, context.market.book(spec.name), now))
        return encode_book_push(snapshots) if snapshots else b""

    def _current_tick(self, symbol_id: int) -> bytes:
        context = self._context
        spec = context.catalog.by_id(symbol_id)
        if spec is None:
            return b""
        quote = context.market.quote(spec.name)
        if quote is None:
            return b""
        tick = np.zeros(1, TICKS_DTYPE)
        tick["bid"], tick["ask"], tick["time_msc"] = quote
        tick["time"] = quote[2] // 1000
        tick["flags"] = TICK_FLAG_BID | TICK_FLAG_ASK
        return encode_tick_records(spec, tick)

    def _zone_switch(self) -> None:
        """Re-send the account block when the server zone switches (DST, spec 4.3): the
        client derives its clock from timezone_shift + daylight_mode."""
        fields = self._context.clock.account_fields()
        if self._zone_fields is None or fields == self._zone_fields:
            self._zone_fields = fields
            return
        self._zone_fields = fields
        for session in tuple(self._context.sessions):
            if session.login is not None:
                block = encode_account_block(self._context, session.login, session.investor)
                session.send(Command.ACCOUNT_UPDATE, block)

    def _rollover(self, now: int) -> None:
        day = now // _DAY_MS
        if self._day < 0:
            self._day = day
            return
        if day != self._day:
            self._day = day
            events = self._context.engine.rollover(now)
            if events:
                push_events(self._context, events)
