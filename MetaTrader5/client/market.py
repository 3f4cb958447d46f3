"""Market data of one client: symbol list, Market Watch, tick subscription and state, books.

* Symbols (spec 3.4.2): cmd 34 (zlib) when the account has more than 256 symbols, else cmd 6
  (and 6 again if 34 fails, like the JS). Cached for ``symbols_ttl`` seconds, with name <-> id
  maps; decoded in bulk (``bulk.decode_symbols_array`` + ``decode_utf16_column``).
* Subscriptions (spec 3.5.1): cmd 7 has *replace* semantics, so the client always sends the
  union of the Market Watch (``selected``) and the symbols it follows for itself (``auto``:
  ``symbol_info_tick``, positions, conversion quotes, ``subscribe``).
* Ticks (push 8): prices are scaled by 10^digits; a 0 or an unset bit means "unchanged" for
  bid/ask/last; volume applies whenever its bit is set; a tick older than the last bid/ask
  update of its symbol is dropped whole. Accepted ticks go to the bounded
  :class:`TickStore` and to the "tick" stream (key = symbol name).
* Session statistics (push 17, spec 3.5.2) are kept per symbol for ``symbol_info``.
* Books (spec 3.5.4): cmd 22 (replace semantics) and push 23 with the delta algorithm: flag 2
  clears first; a level of type 0 clears; volume 0 deletes a level; otherwise the volume is
  added to the level and the level is deleted when the sum is <= 0.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from MetaTrader5.protocol import Command, bulk
from MetaTrader5.protocol.assumptions import BOOK_FULL_SNAPSHOT_FLAG
from MetaTrader5.protocol.exceptions import DecodeError
from MetaTrader5.protocol.messages import (
    decode_book,
    decode_symbol_details,
    encode_id_list,
    inflate_symbols_compressed,
)
from MetaTrader5.protocol.schemas.market import SymbolDetails
from MetaTrader5.records import BookInfo, Tick

from ._ticks import apply_ticks
from .errors import BookNotSubscribedError, NoQuoteError, SymbolNotFoundError
from .streams import StreamHub
from .tickstore import TickStore

__all__ = ["MarketData", "SymbolEntry"]

_log = logging.getLogger("MetaTrader5.client")

Requester = Callable[[int, bytes], Awaitable[memoryview]]

#: spec 3.4.2 [JS]: above this many symbols the client asks for the compressed list (34).
COMPRESSED_LIST_THRESHOLD = 256


@dataclass(slots=True)
class SymbolEntry:
    """One symbol-list row (spec 3.4.2) plus its live quote state."""

    name: str
    symbol_id: int
    digits: int
    description: str
    path: str
    calc_mode: int
    basis: str
    sector: int
    bid: float = 0.0
    ask: float = 0.0
    last: float = 0.0
    volume_real: float = 0.0
    time_msc: int = 0
    bidask_msc: int = -1
    flags: int = 0
    details: SymbolDetails | None = None

    def tick(self) -> Tick | None:
        """The last tick state, or None before the first tick."""
        if self.time_msc == 0:
            return None
        volume = self.volume_real
        return Tick._from_sequence(
            (self.time_msc // 1000, self.bid, self.ask, self.last, int(volume), self.time_msc,
             self.flags, volume)
        )  # fmt: skip


@dataclass(slots=True)
class _Book:
    levels: dict[tuple[int, int], int] = field(default_factory=dict)


class MarketData:
    """Symbols, Market Watch, ticks and books of one client (survives reconnects)."""

    def __init__(
        self,
        hub: StreamHub,
        request: Requester,
        tick_store: TickStore,
        symbols_ttl: float = 300.0,
        first_tick_timeout: float = 3.0,
    ) -> None:
        self._hub = hub
        self._request = request
        self.ticks = tick_store
        self.symbols_ttl = symbols_ttl
        self.first_tick_timeout = first_tick_timeout
        self._by_name: dict[str, SymbolEntry] = {}
        self._by_id: dict[int, SymbolEntry] = {}
        self._loaded_at: float | None = None
        #: (load time, symbol count), replaced whole on every load: readable from any thread.
        self.symbols_snapshot: tuple[float, int] | None = None
        self.symbols_count = 0
        self.selected: set[str] = set()
        self.auto: set[str] = set()
        self.subscribed: frozenset[str] = frozenset()
        self.book_symbols: set[str] = set()
        self._books: dict[str, _Book] = {}
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self.ticks_received = 0
        self.ticks_dropped = 0

    # --- symbols ---------------------------------------------------------------------------

    async def load_symbols(self, force: bool = False) -> dict[str, SymbolEntry]:
        """The symbol list, from cache unless older than the TTL (spec 3.4.2)."""
        fresh = self._loaded_at is not None and (
            time.monotonic() - self._loaded_at < self.symbols_ttl
        )
        if fresh and not force:
            return self._by_name
        rows = None
        if self.symbols_count > COMPRESSED_LIST_THRESHOLD:
            try:
                body = await self._request(Command.SYMBOLS_COMPRESSED, b"")
                rows = bulk.decode_symbols_array(inflate_symbols_compressed(body))
            except DecodeError as exc:
                _log.warning("compressed symbol list unusable (%s); asking for cmd 6", exc)
        if rows is None:
            rows = bulk.decode_symbols_array(await self._request(Command.SYMBOLS, b""))
        self._store_symbols(rows)
        return self._by_name

    def _store_symbols(self, rows: bulk.Array) -> None:
        columns = zip(
            bulk.decode_utf16_column(rows["trade_symbol"]).tolist(),
            rows["symbol_id"].tolist(),
            rows["digits"].tolist(),
            bulk.decode_utf16_column(rows["description"]).tolist(),
            bulk.decode_utf16_column(rows["path"]).tolist(),
            rows["trade_calc_mode"].tolist(),
            bulk.decode_utf16_column(rows["basis"]).tolist(),
            rows["sector"].tolist(),
            strict=True,
        )
        by_name: dict[str, SymbolEntry] = {}
        for values in columns:
            entry = SymbolEntry(*values)
            old = self._by_name.get(entry.name)
            if old is not None and old.symbol_id == entry.symbol_id:
                entry = old  # keep the live quote across refreshes
            by_name[entry.name] = entry
        self._by_name = by_name
        self._by_id = {e.symbol_id: e for e in by_name.values()}
        self._loaded_at = time.monotonic()
        self.symbols_snapshot = (self._loaded_at, len(by_name))

    async def symbol(self, name: str) -> SymbolEntry:
        """The list entry of ``name``; raises :class:`SymbolNotFoundError`."""
        entry = self._by_name.get(name)
        if entry is None:
            entry = (await self.load_symbols(force=self._loaded_at is not None)).get(name)
        if entry is None:
            raise SymbolNotFoundError(name)
        return entry

    def entry(self, name: str) -> SymbolEntry | None:
        return self._by_name.get(name)

    def symbol_by_id(self, symbol_id: int) -> SymbolEntry | None:
        return self._by_id.get(symbol_id)

    def names(self) -> list[str]:
        return list(self._by_name)

    def quote(self, name: str) -> tuple[float, float] | None:
        """(bid, ask) of ``name`` from the stream, None before its first tick."""
        entry = self._by_name.get(name)
        if entry is None or entry.time_msc == 0 or entry.bid <= 0 or entry.ask <= 0:
            return None
        return entry.bid, entry.ask

    # --- subscriptions (replace semantics) ---------------------------------------------------

    async def _send_id_list(self, command: int, names: set[str] | frozenset[str]) -> None:
        ids = sorted({(await self.symbol(n)).symbol_id for n in names})
        await self._request(command, encode_id_list(ids))

    async def _sync_ticks(self) -> None:
        wanted = frozenset(self.selected | self.auto)
        if wanted != self.subscribed:
            await self._send_id_list(Command.SUBSCRIBE_TICKS, wanted)
            self.subscribed = wanted

    async def select(self, name: str, enable: bool) -> None:
        """Add ``name`` to (or remove it from) the Market Watch and the tick subscription."""
        await self.symbol(name)
        if enable:
            self.selected.add(name)
        else:
            self.selected.discard(name)
        await self._sync_ticks()

    async def subscribe_ticks(self, *names: str) -> None:
        """Follow ``names`` for the client's own needs (not shown in the Market Watch)."""
        for name in names:
            await self.symbol(name)
        if not set(names) <= self.auto:
            self.auto |= set(names)
            await self._sync_ticks()

    async def unsubscribe_ticks(self, *names: str) -> None:
        self.auto -= set(names)
        await self._sync_ticks()

    async def wait_quote(self, name: str, timeout: float | None = None) -> SymbolEntry:
        """Subscribe if needed and wait (briefly) for the first tick of ``name``.

        Raises:
            SymbolNotFoundError: unknown symbol.
            NoQuoteError: no tick arrived within ``timeout`` (default ``first_tick_timeout``).
        """
        entry = await self.symbol(name)
        if name not in self.subscribed:
            await self.subscribe_ticks(name)
        if entry.time_msc:
            return entry
        limit = self.first_tick_timeout if timeout is None else timeout
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._waiters.setdefault(name, [])
        waiters.append(future)
        try:
            await asyncio.wait_for(future, limit)
        except TimeoutError:
            raise NoQuoteError(name, limit) from None
        finally:
            if future in waiters:
                waiters.remove(future)
            if not waiters:
                self._waiters.pop(name, None)
        return entry

    async def book_add(self, name: str) -> None:
        """Subscribe the order book of ``name`` (cmd 22, union of all wanted books)."""
        await self.symbol(name)
        before = self.book_symbols
        # Registered first: the first push 23 follows the answer at once.
        self.book_symbols = before | {name}
        try:
            await self._send_id_list(Command.SUBSCRIBE_BOOK, self.book_symbols)
        except BaseException:
            self.book_symbols = before
            raise

    async def book_release(self, name: str) -> bool:
        if name not in self.book_symbols:
            return False
        wanted = self.book_symbols - {name}
        await self._send_id_list(Command.SUBSCRIBE_BOOK, wanted)
        self.book_symbols = wanted
        self._books.pop(name, None)
        return True

    async def restore(self) -> None:
        """Re-send the subscriptions after a reconnect."""
        self._loaded_at = None
        self.symbols_snapshot = None
        await self.load_symbols()
        self.subscribed = frozenset()
        await self._sync_ticks()
        if self.book_symbols:
            await self._send_id_list(Command.SUBSCRIBE_BOOK, self.book_symbols)

    # --- pushes ----------------------------------------------------------------------------

    def on_ticks(self, body: memoryview) -> None:
        """Push 8 (spec 3.5.1): one vectorised pass (``_ticks``), then per-symbol slices to
        the tick store and the "ticks" stream, and per-tick records to the "tick" stream."""
        rows = bulk.decode_ticks(body)
        hub = self._hub
        wanted = self._tick_symbols(rows) if hub.has_subscribers("tick") else set()
        push = apply_ticks(rows, self._by_id.get, per_tick=bool(wanted))
        self.ticks_received += push.received
        self.ticks_dropped += push.received - push.accepted
        batch = hub.has_subscribers("ticks")
        grouped = push.grouped
        for name, lo, hi in push.slices:
            part = grouped[lo:hi]
            self.ticks.extend(name, part)
            waiters = self._waiters.get(name)
            if waiters:
                for future in waiters:
                    if not future.done():
                        future.set_result(None)
            if batch:
                hub.publish("ticks", (name, part), key=name)
        if push.accepted and wanted:
            # Only ticks some subscriber takes become Tick records (publish would drop the
            # others unseen).
            publish, make = hub.publish, Tick._from_sequence
            everything = None in wanted
            for name, row in push.in_arrival_order():
                if everything or name in wanted:
                    publish("tick", make(row), name)

    def _tick_symbols(self, rows: bulk.Array) -> set[object]:
        """Keys of the "tick" subscribers that want a symbol of ``rows`` (None = all)."""
        keys = self._hub.keys("tick")
        if None in keys:
            return keys
        ids = set(rows["symbol_id"].tolist())
        by_name = self._by_name
        return {
            k
            for k in keys
            if isinstance(k, str) and (e := by_name.get(k)) is not None and e.symbol_id in ids
        }

    def on_details(self, body: memoryview) -> None:
        """Push 17 (spec 3.5.2): keep the latest session statistics per symbol."""
        for record in decode_symbol_details(body):
            entry = self._by_id.get(record.symbol_id)
            if entry is not None:
                entry.details = record

    def last_tick(self, name: str) -> Tick | None:
        """The last tick state of ``name`` (None if no tick arrived yet)."""
        entry = self._by_name.get(name)
        return entry.tick() if entry is not None else None

    def on_book(self, body: memoryview) -> None:
        """Push 23 (spec 3.5.4), delta algorithm."""
        for item in decode_book(body):
            entry = self._by_id.get(item.header.symbol_id)
            if entry is None:
                continue
            book = self._books.setdefault(entry.name, _Book())
            if item.header.books_flags & BOOK_FULL_SNAPSHOT_FLAG:
                book.levels.clear()
            for level in item.levels:
                if level.type == 0:
                    book.levels.clear()
                    continue
                key = (level.type, level.price)
                if level.volume == 0:
                    book.levels.pop(key, None)
                    continue
                total = book.levels.get(key, 0) + level.volume
                if total <= 0:
                    book.levels.pop(key, None)
                else:
                    book.levels[key] = total
            if entry.name in self.book_symbols:
                self._hub.publish("book", self.book(entry.name), key=entry.name)

    def book(self, name: str) -> tuple[BookInfo, ...]:
        """The book as the official BookInfo tuple: sells then buys, price descending.

        Raises:
            BookNotSubscribedError: ``market_book_add`` was not called for ``name``.
        """
        if name not in self.book_symbols:
            raise BookNotSubscribedError(name)
        book = self._books.get(name)
        entry = self._by_name.get(name)
        if book is None or entry is None:
            return ()
        scale = 10.0**entry.digits
        rows = sorted(book.levels.items(), key=lambda kv: (kv[0][0] % 2 == 0, -kv[0][1]))
        return tuple(
            BookInfo._from_sequence(
                (kind, round(price / scale, entry.digits), int(vol / 1e8), vol / 1e8)
            )
            for (kind, price), vol in rows
        )
