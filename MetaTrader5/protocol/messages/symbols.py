"""Symbol bodies: groups 9, list 6, compressed list 34, full symbols 18, push 13 (spec 3.4)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from ..assumptions import (
    COMPRESSED_SYMBOLS_PREFIX_IS_LENGTH,
    DEBUG,
    LOGGER,
    MAX_MESSAGE_SIZE,
    ZLIB_WBITS_AUTODETECT,
)
from ..codec import Buffer, Reader, encode_counted
from ..exceptions import DecompressionError, TruncatedRecordError
from ..schemas.symbols import FullSymbol, SymbolGroup, SymbolRecord

__all__ = [
    "encode_symbol_groups",
    "decode_symbol_groups",
    "encode_symbols",
    "decode_symbols",
    "encode_symbols_compressed",
    "decode_symbols_compressed",
    "inflate_symbols_compressed",
    "encode_full_symbols",
    "decode_full_symbols",
    "encode_symbol_update",
    "decode_symbol_update",
    "schedule_sessions",
]


def encode_symbol_groups(paths: Sequence[str]) -> bytes:
    """cmd 9 response: u32 count + str[256] paths (spec 3.4.1)."""
    return encode_counted([SymbolGroup(p) for p in paths])


def decode_symbol_groups(body: Buffer) -> tuple[str, ...]:
    """cmd 9 response -> group paths (spec 3.4.1)."""
    r = Reader(body, "cmd 9 groups")
    out = tuple(g.path for g in r.counted(SymbolGroup, "groups"))
    r.finish()
    return out


def encode_symbols(symbols: Sequence[SymbolRecord]) -> bytes:
    """cmd 6 response: u32 count + 526-byte records (spec 3.4.2)."""
    return encode_counted(symbols)


def decode_symbols(body: Buffer) -> tuple[SymbolRecord, ...]:
    """cmd 6 response (spec 3.4.2); see ``bulk.decode_symbols_array`` for numpy."""
    r = Reader(body, "cmd 6 symbols")
    out = r.counted(SymbolRecord, "symbols")
    r.finish()
    return out


def encode_symbols_compressed(symbols: Sequence[SymbolRecord], level: int = 6) -> bytes:
    """cmd 34 response: 4-byte prefix + zlib(cmd 6 body) (spec 3.4.2)."""
    plain = encode_symbols(symbols)
    prefix = len(plain) if COMPRESSED_SYMBOLS_PREFIX_IS_LENGTH else 0
    return struct.pack("<I", prefix) + zlib.compress(plain, level)


def inflate_symbols_compressed(body: Buffer) -> bytes:
    """cmd 34 response -> the cmd 6 body it carries (zlib or gzip, bounded output)."""
    if len(body) < 4:
        raise TruncatedRecordError(f"cmd 34: {len(body)} bytes, need the 4-byte prefix")
    inflater = zlib.decompressobj(ZLIB_WBITS_AUTODETECT)
    try:
        plain = inflater.decompress(bytes(body[4:]), MAX_MESSAGE_SIZE)
    except zlib.error as exc:
        raise DecompressionError(f"cmd 34: zlib stream invalid: {exc}") from None
    if inflater.unconsumed_tail:
        raise DecompressionError("cmd 34: inflated body exceeds MAX_MESSAGE_SIZE")
    if not inflater.eof:
        raise DecompressionError("cmd 34: zlib stream truncated")
    if DEBUG:
        (prefix,) = struct.unpack_from("<I", body, 0)
        if COMPRESSED_SYMBOLS_PREFIX_IS_LENGTH and prefix != len(plain):
            LOGGER.warning("cmd 34: prefix %d != inflated length %d", prefix, len(plain))
    return plain


def decode_symbols_compressed(body: Buffer) -> tuple[SymbolRecord, ...]:
    """cmd 34 response -> symbol records (spec 3.4.2)."""
    return decode_symbols(inflate_symbols_compressed(body))


def encode_full_symbols(symbols: Sequence[FullSymbol]) -> bytes:
    """cmd 18 response: u32 count + 3068-byte records (spec 3.4.3). Request: id list."""
    return encode_counted(symbols)


def decode_full_symbols(body: Buffer) -> tuple[FullSymbol, ...]:
    """cmd 18 response (spec 3.4.3)."""
    r = Reader(body, "cmd 18 full symbols")
    out = r.counted(FullSymbol, "full symbols")
    r.finish()
    return out


def encode_symbol_update(symbols: Sequence[FullSymbol]) -> bytes:
    """Push 13: full-symbol records, no count (spec 3.4.6)."""
    return b"".join(s.encode() for s in symbols)


def decode_symbol_update(body: Buffer) -> tuple[FullSymbol, ...]:
    """Push 13: floor(len / 3068) records (spec 3.4.6)."""
    return Reader(body, "push 13 symbol update").rest(FullSymbol, "full symbols")


Sessions = tuple[tuple[tuple[int, int], ...], ...]


def schedule_sessions(schedule: Sequence[int]) -> tuple[Sessions, Sessions]:
    """Split a full symbol's 448-unit schedule into (quote, trade) sessions per weekday
    (Sunday first), each a tuple of (start_minute, end_minute), unused (0, 0) slots dropped
    (spec 3.4.4)."""

    def block(base: int) -> Sessions:
        days = []
        for day in range(7):
            start = base + day * 32
            pairs = zip(schedule[start : start + 32 : 2], schedule[start + 1 : start + 32 : 2],
                        strict=True)
            days.append(tuple((a, b) for a, b in pairs if (a, b) != (0, 0)))
        return tuple(days)

    return block(0), block(224)
