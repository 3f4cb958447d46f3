"""Encoded history, cached: cmd 11 bars per (symbol, timeframe, day), 30002 ticks per hour.

The simulator's history is deterministic (``history.py``, ``feed.py``), so a complete day of
bars or a complete hour of ticks, once generated and encoded in its wire layout, never
changes: later requests slice and join the cached bytes instead of generating and encoding
again (benchmarks P1 / P1b). Only chunks wholly before "now" are cached; the day or hour that
contains now is built fresh every time. One LRU, bounded in bytes, holds both kinds.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from MetaTrader5 import constants as c
from MetaTrader5.protocol import bulk
from MetaTrader5.protocol.extension import EXT_TICK_DTYPE

from .feed import HISTORY_START_MS, MarketData
from .history import DAY, HISTORY_START, timeframe_seconds
from .symbols import SymbolSpec

__all__ = ["HISTORY_CACHE_BYTES", "WireCache", "encode_tick_parts", "ext_ticks"]

#: Default bound of the cache: about 1.8 M ticks or 2 M bars.
HISTORY_CACHE_BYTES = 96 * 1024 * 1024
_HOUR_MS = 3_600_000
Array = npt.NDArray[Any]


def ext_ticks(ticks: Array) -> Array:
    """TICKS_DTYPE rows -> the 52-byte records of the 30002 answer (volume in 10^-8 lots)."""
    out = np.empty(len(ticks), EXT_TICK_DTYPE)
    for name in ("time_msc", "bid", "ask", "last", "volume_real", "flags"):
        out[name] = ticks[name]
    out["volume"] = np.rint(ticks["volume_real"] * 1e8)
    return out


def _bounds(times: Array, lo: int, hi: int) -> tuple[int, int]:
    """Index range of ``lo <= times <= hi`` in sorted ``times``; a chunk wholly inside (most
    of a long range) needs no search of its strided time column."""
    n = len(times)
    if n == 0:
        return 0, 0
    a = 0 if times[0] >= lo else int(np.searchsorted(times, lo, side="left"))
    b = n if times[n - 1] <= hi else int(np.searchsorted(times, hi, side="right"))
    return a, b


class WireCache:
    """A byte-bounded LRU of encoded history chunks for one market."""

    def __init__(self, market: MarketData, max_bytes: int = HISTORY_CACHE_BYTES) -> None:
        self._market = market
        self._max = max_bytes
        self._chunks: OrderedDict[tuple[int, int, int], Array] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    def _get(self, key: tuple[int, int, int]) -> Array | None:
        chunk = self._chunks.get(key)
        if chunk is not None:
            self._chunks.move_to_end(key)
            self.hits += 1
        return chunk

    def _put(self, key: tuple[int, int, int], chunk: Array) -> None:
        self.misses += 1
        if chunk.nbytes > self._max:
            return
        self._chunks[key] = chunk
        self.size += chunk.nbytes
        while self.size > self._max:
            _, dropped = self._chunks.popitem(last=False)
            self.size -= dropped.nbytes

    # --- cmd 11 ---------------------------------------------------------------------------

    def bars(self, spec: SymbolSpec, timeframe: int, start: int, end: int, limit: int) -> bytes:
        """The cmd 11 body: the oldest ``limit`` bars opening in ``[start, end]`` (spec 3.5.3).

        Raises:
            ValueError: unknown timeframe.
        """
        market = self._market
        period = timeframe_seconds(timeframe)
        now_s = market.now_ms() // 1000
        lo, hi = max(start, HISTORY_START), min(end, now_s)
        if lo > hi or limit <= 0:
            return b""
        if not 0 < period < DAY or timeframe == c.TIMEFRAME_D1:
            # D1, W1, MN1 span days: few bars, the market's own D1 cache serves them.
            return bulk.encode_bars(market.bars(spec.name, timeframe, lo, hi)[:limit])
        today = now_s // DAY
        parts: list[memoryview] = []
        count = 0
        for day in range(lo // DAY, hi // DAY + 1):
            key = (spec.symbol_id, timeframe, day)
            chunk = self._get(key) if day < today else None
            if chunk is None:
                # Every intraday timeframe divides the day, so a day's bars stand alone.
                rates = market.bars(spec.name, timeframe, day * DAY, day * DAY + DAY - 1)
                chunk = np.frombuffer(bulk.encode_bars(rates), bulk.BAR_DTYPE)
                if day < today:
                    self._put(key, chunk)
            a, b = _bounds(chunk["time"], lo, hi)
            b = min(b, a + limit - count)
            if b > a:
                parts.append(chunk[a:b].data)
                count += b - a
            if count >= limit:
                break
        return b"".join(parts)

    # --- cmd 30002 ------------------------------------------------------------------------

    def ticks(self, spec: SymbolSpec, from_ms: int, to_ms: int, limit: int) -> list[Array]:
        """Ticks of ``[from_ms, to_ms]`` as 30002 records, oldest first, in slices of the
        cached chunks: ``limit`` at most, plus the rest of the last millisecond (a page never
        splits one)."""
        market = self._market
        now = market.now_ms()
        lo, hi = max(from_ms, HISTORY_START_MS), min(to_ms, now)
        if lo > hi or limit <= 0:
            return []
        current = now // _HOUR_MS
        parts: list[Array] = []
        count = 0
        for hour in range(lo // _HOUR_MS, hi // _HOUR_MS + 1):
            key = (spec.symbol_id, -1, hour)  # timeframe -1: a tick chunk
            chunk = self._get(key) if hour < current else None
            if chunk is None:
                if hour < current:
                    chunk = ext_ticks(market.hour_ticks(spec, hour, cache=False))
                    self._put(key, chunk)
                else:
                    chunk = ext_ticks(market.ticks(spec.name, hour * _HOUR_MS, now))
            a, b = _bounds(chunk["time_msc"], lo, hi)
            if b - a > limit - count:
                times = chunk["time_msc"]
                b = a + limit - count
                # finish the millisecond of the last tick taken
                b = int(np.searchsorted(times, times[b - 1], side="right"))
                b = min(b, int(np.searchsorted(times, hi, side="right")))
            if b > a:
                parts.append(chunk[a:b])
                count += b - a
            if count >= limit:
                break
        return parts


def encode_tick_parts(parts: list[Array], flags_mask: int = 0) -> memoryview:
    """The 30002 answer (u32 count + records) written once into one buffer; with a
    ``flags_mask``, only ticks having one of those TICK_FLAG bits."""
    if flags_mask:
        parts = [part[(part["flags"] & flags_mask) != 0] for part in parts]
    count = sum(len(part) for part in parts)
    # np.empty: 50 MB answers are not zeroed first; every byte is written below.
    body = np.empty(4 + count * EXT_TICK_DTYPE.itemsize, np.uint8)
    body[:4] = np.frombuffer(count.to_bytes(4, "little"), np.uint8)
    at = 4
    for part in parts:
        # as raw bytes: a structured assignment of the packed records goes field by field
        # (3.5x slower for a million ticks)
        raw = np.ascontiguousarray(part).view(np.uint8)
        body[at : at + len(raw)] = raw
        at += len(raw)
    return body.data
