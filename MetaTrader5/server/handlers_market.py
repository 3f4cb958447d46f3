"""Market data on the wire: tick subscription 7, rates 11, margin spreads 20, book
subscription 22, our tick-history extension 30002 (``docs/protocol/extension.rst``), and the
bodies of the feed's pushes 8, 17 and 23 (sent by ``stream.py``).

Subscriptions have replace semantics (spec 3.5.1, 3.5.4): the id list is the complete set;
an empty list stops the feed. Ids of unknown symbols are ignored. Right after the answer the
session gets the current tick (push 8) or book (push 23) of every newly added symbol.

Tick history paging (30002): an answer holds the oldest ticks of ``[from_ms, to_ms]``, at
most ``max_count`` of them (capped at :data:`MAX_TICKS`) - except that **a page never ends
inside a millisecond**: when the cut would fall between ticks sharing one ``time_msc``, the
rest of that millisecond is added, so a full page may hold a few more than ``max_count``
ticks. A page shorter than ``max_count`` is therefore always the last one, and both ways of
paging are exact: ``from_ms = last time_msc + 1`` (nothing skipped), or ``from_ms = last``
skipping the rows of that millisecond already received (nothing repeated).

Bars (cmd 11) and tick pages of complete hours and days are served from caches of their
encoded bytes (:mod:`._wirecache`); history is deterministic, so a cache hit is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from MetaTrader5 import constants as c
from MetaTrader5.protocol import bulk
from MetaTrader5.protocol import extension as ext
from MetaTrader5.protocol.assumptions import BOOK_FULL_SNAPSHOT_FLAG
from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.market import (
    BookEntry,
    decode_rates_request,
    encode_book,
    encode_symbol_details,
)
from MetaTrader5.protocol.schemas.market import BookHeader, BookLevel, SymbolDetails
from MetaTrader5.protocol.values import VOLUME_SCALE

from ._wirecache import encode_tick_parts
from .book import BookLevel as MarketLevel
from .handlers_common import Reply, read_id_list
from .history import HISTORY_START, timeframe_seconds

if TYPE_CHECKING:
    from .feed import MarketData
    from .session import Handler, Session
    from .symbols import SymbolSpec

__all__ = [
    "MARKET_HANDLERS",
    "MAX_BARS",
    "MAX_TICKS",
    "BAD_REQUEST",
    "DayStats",
    "encode_details",
    "encode_tick_records",
    "encode_bars",
    "encode_book_push",
]

#: Bars per cmd 11 answer at most; a longer range is cut at its oldest MAX_BARS bars, so a
#: client pages forward from the last bar's time (MT5's own default chart limit is 100 000).
MAX_BARS = 100_000
#: Ticks per 30002 answer at most (plus the rest of the last millisecond: see above).
MAX_TICKS = 1_000_000
#: spec 1.7 [INF]: result code for a request naming an unknown symbol or timeframe.
BAD_REQUEST = 1
_MONTH_SECONDS = 31 * 86_400


def _subscription_ids(session: Session, payload: memoryview) -> frozenset[int]:
    catalog = session.context.catalog
    ids = read_id_list(payload, len(catalog) + 1024)
    return frozenset(i for i in ids if catalog.by_id(i) is not None)


async def handle_subscribe_ticks(session: Session, payload: memoryview) -> Reply:
    """cmd 7 (spec 3.5.1): response body empty (ignored by the client)."""
    stream = session.context.stream
    ids = _subscription_ids(session, payload)
    session.tick_ids = ids
    ticks, details = await stream.set_ticks(session, ids) if stream is not None else (b"", b"")
    pushes = ((Command.TICKS, ticks), (Command.SYMBOL_DETAILS, details))
    return Reply(0, b"", tuple((command, body) for command, body in pushes if body))


async def handle_subscribe_book(session: Session, payload: memoryview) -> Reply:
    """cmd 22 (spec 3.5.4)."""
    stream = session.context.stream
    ids = _subscription_ids(session, payload)
    session.book_ids = ids
    first = stream.set_books(session, ids) if stream is not None else b""
    return Reply(0, b"", ((Command.BOOK, first),) if first else ())


async def handle_rates(session: Session, payload: memoryview) -> Reply:
    """cmd 11 (spec 3.5.3, 7.6): 48-byte bars, oldest first, times in server time."""
    request = decode_rates_request(payload)
    context = session.context
    spec = context.catalog.by_name(request.symbol)
    if spec is None:
        return Reply(BAD_REQUEST)
    try:
        period = timeframe_seconds(request.period) or _MONTH_SECONDS
    except (KeyError, ValueError):
        return Reply(BAD_REQUEST)
    start, end = max(request.time_from, HISTORY_START), request.time_to
    if end < start:
        return Reply(0, b"")
    end = min(end, start + MAX_BARS * period)
    return Reply(0, context.wire_cache.bars(spec, request.period, start, end, MAX_BARS))


async def handle_margin_spreads(session: Session, payload: memoryview) -> Reply:
    """cmd 20 (spec 3.5.5): no spread margins in the simulator -> an empty body."""
    read_id_list(payload, 1 << 20)  # validate the id list like every other
    del session
    return Reply(0, b"")


async def handle_tick_history(session: Session, payload: memoryview) -> Reply:
    """cmd 30002 (our extension): ticks of one symbol in [from_ms, to_ms], oldest first, at
    most ``max_count`` (capped at MAX_TICKS), filtered by the COPY_TICKS_* flags."""
    request = ext.decode_tick_history_request(payload)
    context = session.context
    spec = context.catalog.by_id(request.symbol_id)
    if spec is None or request.to_ms < request.from_ms:
        return Reply(BAD_REQUEST)
    limit = min(max(request.max_count, 0), MAX_TICKS)
    parts = context.wire_cache.ticks(spec, request.from_ms, request.to_ms, limit)
    mask = _COPY_FLAG_MASKS.get(request.copy_flags, 0)
    return Reply(0, encode_tick_parts(parts, mask))


#: COPY_TICKS_* -> the TICK_FLAG bits a tick needs to be copied (0 = every tick).
_COPY_FLAG_MASKS = {
    c.COPY_TICKS_INFO: c.TICK_FLAG_BID | c.TICK_FLAG_ASK,
    c.COPY_TICKS_TRADE: c.TICK_FLAG_LAST | c.TICK_FLAG_VOLUME,
}


# --- push bodies of the live feed (used by stream.py) ---------------------------------------

# spec 3.5.2: push 17 field bits we fill.
_DETAIL_FIELDS = (
    1 | 2 | 4  # bid last/high/low
    | 8 | 16 | 32  # ask last/high/low
    | 1 << 20 | 1 << 21 | 1 << 23  # price_open, price_close, price_change
)
_DAY_MS = 86_400_000


@dataclass
class DayStats:
    """Session statistics of one symbol for one server day (push 17, spec 3.5.2)."""

    day: int
    open: float = 0.0
    prev_close: float = 0.0
    bid: float = 0.0
    ask: float = 0.0
    bid_high: float = 0.0
    bid_low: float = 0.0
    ask_high: float = 0.0
    ask_low: float = 0.0
    time_msc: int = 0

    @classmethod
    def start(cls, market: MarketData, spec: SymbolSpec, now_ms: int) -> DayStats:
        """Statistics of today so far (the day's ticks up to now, the previous close)."""
        day = now_ms // _DAY_MS
        stats = cls(day)
        day_s = day * 86_400
        before = market.bars(spec.name, c.TIMEFRAME_D1, day_s - 7 * 86_400, day_s - 1)
        if len(before):
            stats.prev_close = float(before["close"][-1])
        stats.update(market.ticks(spec.name, day * _DAY_MS, now_ms))
        return stats

    def update(self, ticks: np.ndarray) -> None:
        """Fold in the ticks of one feed step (all of this day)."""
        if len(ticks) == 0:
            return
        bids, asks = ticks["bid"], ticks["ask"]
        if not self.open:
            self.open = float(bids[0])
            self.bid_low, self.ask_low = float(bids.min()), float(asks.min())
        self.bid_high = max(self.bid_high, float(bids.max()))
        self.bid_low = min(self.bid_low, float(bids.min()))
        self.ask_high = max(self.ask_high, float(asks.max()))
        self.ask_low = min(self.ask_low, float(asks.min()))
        self.bid, self.ask = float(bids[-1]), float(asks[-1])
        self.time_msc = int(ticks["time_msc"][-1])


def encode_details(spec: SymbolSpec, stats: DayStats) -> bytes:
    """One push 17 record (spec 3.5.2): prices x 10^digits, price_change in percent x 100."""
    scale = 10.0**spec.digits
    change = (stats.bid / stats.prev_close - 1.0) * 100.0 if stats.prev_close else 0.0
    record = SymbolDetails(
        symbol_id=spec.symbol_id,
        fields=_DETAIL_FIELDS,
        lasttime=stats.time_msc // 1000,
        digits=spec.digits,
        bid_last=round(stats.bid * scale, 6),
        bid_high=round(stats.bid_high * scale, 6),
        bid_low=round(stats.bid_low * scale, 6),
        ask_last=round(stats.ask * scale, 6),
        ask_high=round(stats.ask_high * scale, 6),
        ask_low=round(stats.ask_low * scale, 6),
        price_open=round(stats.open * scale, 6),
        price_close=round(stats.prev_close * scale, 6),
        price_change=round(change * 100.0, 4),
        lasttime_msc=stats.time_msc % 1000,
    )
    return encode_symbol_details([record])


def encode_tick_records(spec: SymbolSpec, ticks: np.ndarray) -> bytes:
    """TICKS_DTYPE rows -> push 8 records (spec 3.5.1): prices x 10^digits, ``fields`` from
    the official flags, volume in 10^-8 lots (vectorised in the protocol core)."""
    return bulk.encode_ticks(bulk.official_to_ticks(ticks, spec.symbol_id, spec.digits))


def encode_bars(rates: np.ndarray) -> bytes:
    """RATES_DTYPE rows -> the 48-byte bars of cmd 11 (spec 3.5.3): plain prices."""
    return bulk.encode_bars(rates)


def encode_book_push(
    snapshots: list[tuple[SymbolSpec, tuple[MarketLevel, ...], int]],
) -> bytes:
    """Full book snapshots -> push 23 (spec 3.5.4, 7.5): books_flags = 2 ("clear first"),
    integer prices x 10^digits, volumes in 10^-8 lots."""
    entries = []
    for spec, levels, now_ms in snapshots:
        scale = 10**spec.digits
        header = BookHeader(
            symbol_id=spec.symbol_id,
            books_time=now_ms // 1000,
            time_msc=now_ms % 1000,
            flag_mask=0,
            books_flags=BOOK_FULL_SNAPSHOT_FLAG,
            level_count=len(levels),
        )
        wire_levels = tuple(
            BookLevel(
                flag_mask=0,
                type=level.type,
                price=round(level.price * scale),
                volume=round(level.volume * VOLUME_SCALE),
            )
            for level in levels
        )
        entries.append(BookEntry(header, wire_levels))
    return encode_book(entries)


MARKET_HANDLERS: dict[int, Handler] = {
    Command.SUBSCRIBE_TICKS: handle_subscribe_ticks,
    Command.SUBSCRIBE_BOOK: handle_subscribe_book,
    Command.RATES: handle_rates,
    Command.MARGIN_SPREADS: handle_margin_spreads,
    Command.EXTENSION_TICK_HISTORY: handle_tick_history,
}
