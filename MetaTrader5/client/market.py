"""Market data of one client: symbol cache, tick subscription and state, order books.

* Symbols (spec 3.4.2): cmd 34 (zlib) when the account has more than 256 symbols, else cmd 6
  (and 6 again if 34 fails, like the JS). Cached for ``symbols_ttl`` seconds, with name <-> id
  maps.
* Ticks (spec 3.5.1): cmd 7 has *replace* semantics, so the client always sends the union of
  every symbol anyone wants. Push 8 prices are scaled by 10^digits; a 0 or an unset bit means
  "unchanged" for bid/ask/last; volume applies whenever its bit is set; a tick older than the
  last bid/ask update of its symbol is dropped whole. Accepted ticks go to the bounded
  :class:`TickStore` and the "tick" stream (key = symbol name).
* Books (spec 3.5.4): cmd 22 (replace semantics) and push 23 with the delta algorithm: flag 2
  clears first; a level of type 0 clears; volume 0 deletes a level; otherwise the volume is
  added to the level and the level is deleted when the sum is <= 0.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from MetaTrader5.protocol.assumptions import ZLIB_WBITS_AUTODETECT
from MetaTrader5.protocol.commands import Command
from MetaTrader5.records import BookInfo, Tick

from ._interim import (
    decode_book_push,
    decode_symbol_list,
    decode_tick_push,
    encode_id_list,
    units_to_str,
)
from .errors import SymbolNotFoundError
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


@dataclass(slots=True)
class _Book:
    levels: dict[tuple[int, int], int] = field(default_factory=dict)


class MarketData:
    """Symbols, ticks and books of one client (survives reconnects)."""

    def __init__(
        self,
        hub: StreamHub,
        request: Requester,
        tick_store: TickStore,
        symbols_ttl: float = 300.0,
    ) -> None:
        self._hub = hub
        self._request = request
        self.ticks = tick_store
        self.symbols_ttl = symbols_ttl
        self._by_name: dict[str, SymbolEntry] = {}
        self._by_id: dict[int, SymbolEntry] = {}
        self._loaded_at: float | None = None
        self.symbols_count = 0
        self.tick_symbols: set[str] = set()
        self.book_symbols: set[str] = set()
        self._books: dict[str, _Book] = {}
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
                rows = decode_symbol_list(zlib.decompress(bytes(body)[4:], ZLIB_WBITS_AUTODETECT))
            except (zlib.error, ValueError) as exc:
                _log.warning("compressed symbol list unusable (%s); asking for cmd 6", exc)
        if rows is None:
            rows = decode_symbol_list(await self._request(Command.SYMBOLS, b""))
        by_name: dict[str, SymbolEntry] = {}
        for row in rows:
            entry = SymbolEntry(
                name=units_to_str(row["name"]),
                symbol_id=int(row["symbol_id"]),
                digits=int(row["digits"]),
                description=units_to_str(row["description"]),
                path=units_to_str(row["path"]),
                calc_mode=int(row["calc_mode"]),
                basis=units_to_str(row["basis"]),
                sector=int(row["sector"]),
            )
            old = self._by_name.get(entry.name)
            if old is not None:  # keep the live quote across refreshes
                entry.bid, entry.ask, entry.last = old.bid, old.ask, old.last
                entry.time_msc, entry.bidask_msc = old.time_msc, old.bidask_msc
            by_name[entry.name] = entry
        self._by_name = by_name
        self._by_id = {e.symbol_id: e for e in by_name.values()}
        self._loaded_at = time.monotonic()
        return by_name

    async def symbol(self, name: str) -> SymbolEntry:
        entry = self._by_name.get(name)
        if entry is None:
            entry = (await self.load_symbols(force=self._loaded_at is not None)).get(name)
        if entry is None:
            raise SymbolNotFoundError(name)
        return entry

    def symbol_by_id(self, symbol_id: int) -> SymbolEntry | None:
        return self._by_id.get(symbol_id)

    # --- subscriptions (replace semantics) ---------------------------------------------------

    async def _send_id_list(self, command: int, names: set[str]) -> None:
        ids = sorted({(await self.symbol(n)).symbol_id for n in names})
        await self._request(command, encode_id_list(ids))

    async def subscribe_ticks(self, *names: str) -> None:
        """Add symbols to the tick subscription (cmd 7 with the whole union, spec 3.5.1)."""
        for name in names:
            await self.symbol(name)
        wanted = self.tick_symbols | set(names)
        await self._send_id_list(Command.SUBSCRIBE_TICKS, wanted)
        self.tick_symbols = wanted

    async def unsubscribe_ticks(self, *names: str) -> None:
        wanted = self.tick_symbols - set(names)
        await self._send_id_list(Command.SUBSCRIBE_TICKS, wanted)
        self.tick_symbols = wanted

    async def book_add(self, name: str) -> None:
        """Subscribe the order book of ``name`` (cmd 22, union of all wanted books)."""
        await self.symbol(name)
        wanted = self.book_symbols | {name}
        await self._send_id_list(Command.SUBSCRIBE_BOOK, wanted)
        self.book_symbols = wanted

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
        await self.load_symbols()
        if self.tick_symbols:
            await self._send_id_list(Command.SUBSCRIBE_TICKS, self.tick_symbols)
        if self.book_symbols:
            await self._send_id_list(Command.SUBSCRIBE_BOOK, self.book_symbols)

    # --- pushes ----------------------------------------------------------------------------

    def on_ticks(self, body: memoryview) -> None:
        """Push 8 (spec 3.5.1)."""
        for rec in decode_tick_push(body):
            self.ticks_received += 1
            entry = self._by_id.get(int(rec["symbol_id"]))
            if entry is None:
                self.ticks_dropped += 1
                continue
            self._apply_tick(entry, rec)

    def _apply_tick(self, entry: SymbolEntry, rec: np.void) -> None:
        fields = int(rec["fields"])
        msc = int(rec["time"]) * 1000 + int(rec["time_ms"])
        if msc < entry.bidask_msc:
            self.ticks_dropped += 1  # spec 3.5.1: out of order, dropped whole
            return
        scale = 10.0 ** entry.digits
        digits = entry.digits
        bid, ask, last = float(rec["bid"]), float(rec["ask"]), float(rec["last"])
        if fields & 1 and bid:
            entry.bid = round(bid / scale, digits)
        if fields & 2 and ask:
            entry.ask = round(ask / scale, digits)
        if fields & 3 and (bid or ask):
            entry.bidask_msc = msc
        if fields & 4 and last:
            entry.last = round(last / scale, digits)
        volume = 0.0
        if fields & 8:
            volume = int(rec["volume"]) / 1e8
            entry.volume_real = volume
        entry.time_msc = msc
        entry.flags = (fields & 0x0F) << 1  # spec 4.6 [INF]: wire fields -> TICK_FLAG_*
        row = (msc // 1000, entry.bid, entry.ask, entry.last, int(volume), msc, entry.flags, volume)
        self.ticks.append(entry.name, row)
        if self._hub.has_subscribers("tick"):
            self._hub.publish("tick", Tick._from_sequence(row), key=entry.name)

    def last_tick(self, name: str) -> Tick | None:
        """The last tick state of ``name`` (None if no tick arrived yet)."""
        entry = self._by_name.get(name)
        if entry is None or entry.time_msc == 0:
            return None
        volume = entry.volume_real
        return Tick._from_sequence(
            (entry.time_msc // 1000, entry.bid, entry.ask, entry.last, int(volume),
             entry.time_msc, entry.flags, volume)
        )  # fmt: skip

    def on_book(self, body: memoryview) -> None:
        """Push 23 (spec 3.5.4), delta algorithm."""
        for symbol_id, flags, levels in decode_book_push(body):
            entry = self._by_id.get(symbol_id)
            if entry is None:
                continue
            book = self._books.setdefault(entry.name, _Book())
            if flags & 2:
                book.levels.clear()
            for kind, price, volume in levels:
                if kind == 0:
                    book.levels.clear()
                    continue
                key = (kind, price)
                if volume == 0:
                    book.levels.pop(key, None)
                    continue
                total = book.levels.get(key, 0) + volume
                if total <= 0:
                    book.levels.pop(key, None)
                else:
                    book.levels[key] = total
            self._hub.publish("book", self.book(entry.name), key=entry.name)

    def book(self, name: str) -> tuple[BookInfo, ...]:
        """The book as the official BookInfo tuple: sells then buys, price descending."""
        book = self._books.get(name)
        entry = self._by_name.get(name)
        if book is None or entry is None:
            return ()
        scale = 10.0 ** entry.digits
        rows = sorted(book.levels.items(), key=lambda kv: (kv[0][0] % 2 == 0, -kv[0][1]))
        return tuple(
            BookInfo._from_sequence(
                (kind, round(price / scale, entry.digits), int(vol / 1e8), vol / 1e8)
            )
            for (kind, price), vol in rows
        )

    def tick_history(self, name: str) -> npt.NDArray[np.void]:
        return self.ticks.ticks(name)
