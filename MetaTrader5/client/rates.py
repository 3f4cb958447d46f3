"""Bars (cmd 11, spec 3.5.3) and tick history (extension 30002, or the stream).

Dates are passed through as server-time epoch values, as the official module does.

* ``copy_rates_range``: bars with ``date_from <= time <= date_to``, paged forward when an
  answer stops before the end (a server may cap one answer; ours does at 100 000 bars).
* ``copy_rates_from``: ``count`` bars with open time ``<= date_from``, oldest first. The
  window asked for is ``count`` periods plus a margin, widened (doubled) while it holds too
  few bars (weekends, holidays, sessions), until it has enough or widening stops helping.
* ``copy_rates_from_pos``: position 0 is the current bar of the *server* clock (UTC now plus
  the account header's offset, spec 4.3), counting back.
* Ticks: through our simulator's extension 30002 when the server announced it, paged by
  ``max_count`` (every tick is requested and COPY_TICKS_* filtered here, so paging is exact);
  otherwise from the ticks the stream delivered since subscription, and a request reaching
  before the stream's first tick raises :class:`TickHistoryUnavailableError` (spec 6.2).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import numpy as np

from MetaTrader5.protocol import Command, bulk, extension
from MetaTrader5.protocol.messages import encode_rates_request
from MetaTrader5.protocol.schemas.market import RatesRequest
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE

from .errors import TickHistoryUnavailableError, ValidationError
from .market import MarketData

__all__ = ["RatesService", "TIMEFRAME_SECONDS", "filter_ticks"]

Requester = Callable[[int, bytes], Awaitable[memoryview]]

_DAY = 86_400
#: Seconds per bar of every official timeframe (spec 4.2); MN1 approximated by 31 days
#: (used only to size request windows).
TIMEFRAME_SECONDS: dict[int, int] = {
    1: 60, 2: 120, 3: 180, 4: 240, 5: 300, 6: 360, 10: 600, 12: 720, 15: 900, 20: 1200,
    30: 1800, 16385: 3600, 16386: 7200, 16387: 10800, 16388: 14400, 16390: 21600,
    16392: 28800, 16396: 43200, 16408: _DAY, 32769: 7 * _DAY, 49153: 31 * _DAY,
}  # fmt: skip
_I32_MAX = 2**31 - 1
_I32_MIN = -(2**31)
_MAX_WIDENINGS = 12
_MAX_PAGES = 10_000
#: Ticks asked for per 30002 request: the simulator's cap per answer (``MAX_TICKS`` of
#: ``server/handlers_market.py``; the extension hello does not carry it). Never above the
#: server's cap, since a page shorter than the request marks the end of the range.
_TICK_PAGE = 1_000_000
#: COPY_TICKS_INFO / COPY_TICKS_TRADE and the TICK_FLAG_* bits they select.
_INFO_FLAGS, _TRADE_FLAGS = 2 | 4, 8 | 16


def filter_ticks(ticks: bulk.Array, flags: int) -> bulk.Array:
    """COPY_TICKS_INFO (1): bid/ask changes; COPY_TICKS_TRADE (2): last/volume; else all."""
    if flags == 1:
        selected: bulk.Array = ticks[(ticks["flags"] & _INFO_FLAGS) != 0]
        return selected
    if flags == 2:
        selected = ticks[(ticks["flags"] & _TRADE_FLAGS) != 0]
        return selected
    return ticks


def _within(bars: bulk.Array, lo: int, hi: int) -> bulk.Array:
    """The bars with ``lo <= time <= hi``: the array itself when the server kept to the range
    (what it must do, spec 3.5.3), so the common case copies nothing."""
    times = bars["time"]
    if not len(times) or (int(times.min()) >= lo and int(times.max()) <= hi):
        return bars
    return bars[(times >= lo) & (times <= hi)]


def _period(timeframe: int) -> int:
    seconds = TIMEFRAME_SECONDS.get(timeframe)
    if seconds is None:
        raise ValidationError("timeframe", f"unknown timeframe {timeframe}")
    return seconds


class RatesService:
    """Bars and tick history of one client."""

    def __init__(
        self, request: Requester, market: MarketData, server_offset: Callable[[], int],
        tick_history: Callable[[], bool],
    ) -> None:
        self._request = request
        self._market = market
        self._offset = server_offset
        self._tick_history = tick_history

    def server_now(self) -> int:
        """spec 4.3: server wall-clock seconds = UTC now + offset."""
        return int(time.time()) + self._offset()

    # --- bars ------------------------------------------------------------------------------

    async def _bars(self, symbol: str, timeframe: int, start: int, end: int) -> bulk.Array:
        """Wire bars of ``[start, end]``, paged forward (``BAR_DTYPE``, read-only).

        Pages stay views on their response bodies; several pages are joined as bytes. The
        caller's conversion to the official dtype is the one copy of every bar (a structured
        ``copy`` or mask of the packed wire layout costs as much as that conversion).
        """
        period = _period(timeframe)
        start, end = max(start, 0), min(end, _I32_MAX)
        pages: list[bulk.Array] = []
        for _ in range(_MAX_PAGES):
            if start > end:
                break
            body = await self._request(
                Command.RATES, encode_rates_request(RatesRequest(symbol, timeframe, start, end))
            )
            bars = bulk.decode_bars(body)
            if not len(bars):
                break
            pages.append(bars)
            last = int(bars["time"][-1])
            if last + period > end or last < start:
                break
            start = last + 1
        if not pages:
            return np.zeros(0, bulk.BAR_DTYPE)
        if len(pages) == 1:
            return pages[0]
        return np.frombuffer(b"".join(page.data for page in pages), bulk.BAR_DTYPE)

    async def copy_rates_range(
        self, symbol: str, timeframe: int, date_from: int, date_to: int
    ) -> bulk.Array:
        """Bars with ``date_from <= time <= date_to`` (``RATES_DTYPE``)."""
        await self._market.symbol(symbol)
        bars = _within(await self._bars(symbol, timeframe, date_from, date_to),
                       date_from, date_to)  # fmt: skip
        return bulk.bars_to_rates(bars)

    async def copy_rates_from(
        self, symbol: str, timeframe: int, date_from: int, count: int
    ) -> bulk.Array:
        """``count`` bars with open time <= ``date_from``, oldest first (``RATES_DTYPE``)."""
        await self._market.symbol(symbol)
        if count <= 0:
            return np.zeros(0, RATES_DTYPE)
        period = _period(timeframe)
        need = count * period
        span = need + need // 2 + 3 * _DAY  # weekends and session breaks
        bars = np.zeros(0, bulk.BAR_DTYPE)
        for _ in range(_MAX_WIDENINGS):
            start = date_from - span
            found = await self._bars(symbol, timeframe, start, date_from)
            grew = len(found) > len(bars)
            bars = found
            if len(bars) >= count or start <= 0:
                break
            if not grew and span > 2 * need + 14 * _DAY:
                break  # widening stopped finding bars: the history is exhausted
            span *= 2
        return bulk.bars_to_rates(_within(bars, _I32_MIN, date_from)[-count:])

    async def copy_rates_from_pos(
        self, symbol: str, timeframe: int, start_pos: int, count: int
    ) -> bulk.Array:
        """``count`` bars ending ``start_pos`` bars before the current one (server clock)."""
        if count <= 0 or start_pos < 0:
            return np.zeros(0, RATES_DTYPE)
        rates = await self.copy_rates_from(symbol, timeframe, self.server_now(),
                                           start_pos + count)  # fmt: skip
        end = len(rates) - start_pos
        lo, hi = max(0, end - count), max(end, 0)
        # a slice of part of the array is copied so it does not keep the rest alive
        return rates if (lo, hi) == (0, len(rates)) else rates[lo:hi].copy()

    # --- ticks -----------------------------------------------------------------------------

    async def _extension_ticks(
        self, symbol_id: int, from_ms: int, to_ms: int, flags: int, count: int | None
    ) -> bulk.Array:
        out: bulk.Array | None = None  # pages are written into one growing array
        total, start, skip = 0, from_ms, 0
        limit = _TICK_PAGE if count is None else max(min(count, _TICK_PAGE), 1000)
        for _ in range(_MAX_PAGES):
            request = extension.TickHistoryRequest(symbol_id, start, to_ms, limit, -1)
            body = await self._request(Command.EXTENSION_TICK_HISTORY,
                                       extension.encode_tick_history_request(request))
            page = extension.decode_tick_history(body)
            chosen = filter_ticks(extension.ext_ticks_to_official(page[skip:]), flags)
            if out is None:
                out = chosen  # the usual single page: no copy at all
            else:
                if total + len(chosen) > len(out):
                    grown = np.empty(max(2 * len(out), total + len(chosen)), TICKS_DTYPE)
                    grown[:total] = out[:total]
                    out = grown
                out[total : total + len(chosen)] = chosen
            total += len(chosen)
            if len(page) < limit or (count is not None and total >= count):
                break
            last = int(page["time_msc"][-1])
            if last == start:
                limit *= 2  # a whole page within one millisecond: ask for more at once
                continue
            # Restart at the last millisecond and skip the rows of it already taken, so a
            # page boundary inside one millisecond neither loses nor repeats a tick.
            skip = int(np.count_nonzero(page["time_msc"] == last))
            start = last
        if out is None:
            return np.zeros(0, TICKS_DTYPE)
        end = total if count is None else min(total, count)
        return out if end == len(out) else out[:end].copy()

    def _stream_ticks(self, symbol: str, from_ms: int) -> bulk.Array:
        since = self._market.ticks.since_msc(symbol)
        if since is None or from_ms < since:
            raise TickHistoryUnavailableError(symbol, from_ms, since)
        return self._market.ticks.ticks(symbol)

    async def copy_ticks_from(
        self, symbol: str, date_from_msc: int, count: int, flags: int
    ) -> bulk.Array:
        """``count`` ticks from ``date_from_msc`` on (``TICKS_DTYPE``)."""
        entry = await self._market.symbol(symbol)
        if count <= 0:
            return np.zeros(0, TICKS_DTYPE)
        if self._tick_history():
            return await self._extension_ticks(entry.symbol_id, date_from_msc,
                                               2**62, flags, count)  # fmt: skip
        await self._market.subscribe_ticks(symbol)
        ticks = self._stream_ticks(symbol, date_from_msc)
        ticks = filter_ticks(ticks[ticks["time_msc"] >= date_from_msc], flags)
        return ticks[:count].copy()

    async def copy_ticks_range(
        self, symbol: str, date_from_msc: int, date_to_msc: int, flags: int
    ) -> bulk.Array:
        """Ticks with ``date_from_msc <= time_msc <= date_to_msc`` (``TICKS_DTYPE``)."""
        entry = await self._market.symbol(symbol)
        if date_to_msc < date_from_msc:
            return np.zeros(0, TICKS_DTYPE)
        if self._tick_history():
            return await self._extension_ticks(entry.symbol_id, date_from_msc, date_to_msc,
                                               flags, None)  # fmt: skip
        await self._market.subscribe_ticks(symbol)
        ticks = self._stream_ticks(symbol, date_from_msc)
        mask = (ticks["time_msc"] >= date_from_msc) & (ticks["time_msc"] <= date_to_msc)
        return filter_ticks(ticks[mask], flags).copy()
