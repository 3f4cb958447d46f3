"""Market-data bodies: ticks 7/8, details 17, rates 11, book 22/23, spreads 20 (spec 3.5).

Requests 7, 18, 20 and 22 are id lists (``session.encode_id_list``). Bulk numpy decoding of
bars and ticks is in ``bulk.py``; the functions here give typed records.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ..codec import Buffer, Reader, encode_counted
from ..exceptions import EncodeError
from ..schemas.market import (
    Bar,
    BookHeader,
    BookLevel,
    RatesRequest,
    SpreadHead,
    SpreadLeg,
    SymbolDetails,
    Tick,
)

__all__ = [
    "encode_ticks",
    "decode_ticks",
    "encode_symbol_details",
    "decode_symbol_details",
    "encode_rates_request",
    "decode_rates_request",
    "encode_bars",
    "decode_bars",
    "BookEntry",
    "encode_book",
    "decode_book",
    "SpreadEntry",
    "SpreadBlock",
    "encode_spreads",
    "decode_spreads",
]


def encode_ticks(ticks: Sequence[Tick]) -> bytes:
    """Push 8: 50-byte records, no count (spec 3.5.1)."""
    return b"".join(t.encode() for t in ticks)


def decode_ticks(body: Buffer) -> tuple[Tick, ...]:
    """Push 8 -> tick records, prices still scaled (spec 3.5.1)."""
    return Reader(body, "push 8 ticks").rest(Tick, "ticks")


def encode_symbol_details(details: Sequence[SymbolDetails]) -> bytes:
    """Push 17: 274-byte records, no count (spec 3.5.2)."""
    return b"".join(d.encode() for d in details)


def decode_symbol_details(body: Buffer) -> tuple[SymbolDetails, ...]:
    """Push 17 -> details records, prices still scaled (spec 3.5.2)."""
    return Reader(body, "push 17 details").rest(SymbolDetails, "details")


def encode_rates_request(request: RatesRequest) -> bytes:
    """cmd 11 request, 74 bytes (spec 3.5.3)."""
    return request.encode()


def decode_rates_request(payload: Buffer) -> RatesRequest:
    """cmd 11 request (spec 3.5.3)."""
    return RatesRequest.decode(payload)


def encode_bars(bars: Sequence[Bar]) -> bytes:
    """cmd 11 response: 48-byte bars, no count, oldest first (spec 3.5.3)."""
    return b"".join(b.encode() for b in bars)


def decode_bars(body: Buffer) -> tuple[Bar, ...]:
    """cmd 11 response -> bar records (``bulk.decode_bars`` for numpy)."""
    return Reader(body, "cmd 11 bars").rest(Bar, "bars")


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One symbol's book update: header + levels (spec 3.5.4)."""

    header: BookHeader
    levels: tuple[BookLevel, ...] = ()


def encode_book(entries: Sequence[BookEntry]) -> bytes:
    """Push 23: u32 count, then header + levels per entry; level_count is set from
    ``levels`` (spec 3.5.4)."""
    parts = [struct.pack("<I", len(entries))]
    for e in entries:
        if len(e.levels) > 0xFFFF:
            raise EncodeError(f"book: {len(e.levels)} levels do not fit the u16 level_count")
        head = BookHeader(e.header.symbol_id, e.header.books_time, e.header.time_msc,
                          e.header.flag_mask, e.header.books_flags, len(e.levels))
        parts.append(head.encode())
        parts.extend(level.encode() for level in e.levels)
    return b"".join(parts)


def decode_book(body: Buffer) -> tuple[BookEntry, ...]:
    """Push 23; a body of <= 4 bytes is empty (spec 3.5.4)."""
    if len(body) <= 4:
        return ()
    r = Reader(body, "push 23 book")
    count = r.scalar("I", "entry count")
    out: list[BookEntry] = []
    for _ in range(count):
        if r.remaining < BookHeader.SIZE:  # bounds the loop by the body, not the count
            r.records(BookHeader, count - len(out), "book entries")
        head = r.record(BookHeader)
        out.append(BookEntry(head, r.records(BookLevel, head.level_count, "levels")))
    r.finish()
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SpreadEntry:
    """Margin-spread entry: head, and two leg lists when ``spread_id`` != 0 (spec 3.5.5)."""

    head: SpreadHead
    legs_a: tuple[SpreadLeg, ...] = ()
    legs_b: tuple[SpreadLeg, ...] = ()


@dataclass(frozen=True, slots=True)
class SpreadBlock:
    """One block of cmd 20: 4 unknown bytes, u32 count, entries (spec 3.5.5)."""

    entries: tuple[SpreadEntry, ...] = ()
    reserved: int = 0


def encode_spreads(blocks: Sequence[SpreadBlock]) -> bytes:
    """cmd 20 response / push 20; no spread margins -> empty body (spec 3.5.5)."""
    parts = []
    for block in blocks:
        parts.append(struct.pack("<II", block.reserved, len(block.entries)))
        for e in block.entries:
            if e.head.spread_id == 0 and (e.legs_a or e.legs_b):
                raise EncodeError("cmd 20: an entry with spread_id 0 cannot carry legs")
            parts.append(e.head.encode())
            if e.head.spread_id:
                parts.append(encode_counted(e.legs_a))
                parts.append(encode_counted(e.legs_b))
    return b"".join(parts)


def decode_spreads(body: Buffer) -> tuple[SpreadBlock, ...]:
    """cmd 20: blocks until the end of the body (spec 3.5.5)."""
    r = Reader(body, "cmd 20 spreads")
    blocks = []
    while r.remaining:
        reserved = r.scalar("I", "block prefix")
        count = r.scalar("I", "entry count")
        entries: list[SpreadEntry] = []
        for _ in range(count):
            if r.remaining < SpreadHead.SIZE:
                r.records(SpreadHead, count - len(entries), "spread entries")
            head = r.record(SpreadHead)
            if head.spread_id:
                legs_a = r.counted(SpreadLeg, "legs A")
                entries.append(SpreadEntry(head, legs_a, r.counted(SpreadLeg, "legs B")))
            else:
                entries.append(SpreadEntry(head))
        blocks.append(SpreadBlock(tuple(entries), reserved))
    return tuple(blocks)
