"""The simulator's market data: ticks, bars and quotes from one deterministic path.

:class:`MarketData` is what the server wiring and the order engine call. Everything is in
*server* time (spec 4.3): tick ``time_msc`` and bar ``time`` are server wall-clock epoch
values. Nothing after the clock's "now" is ever returned, and the bar that contains "now" is
built from the ticks so far, so what streams live later shows up identically in history.

Ticks (spec 3.5.1) are drawn per server hour, seeded from ``(seed, symbol_id, hour)``, from the
minute layer of ``history.py``: in each minute the first tick is the M1 open, the last the
close, one tick sits on the high and one on the low, the rest in between; ask = bid + spread,
spread >= the minute's minimal spread (which widens around the server-midnight rollover and
session edges). Forex/CFD ticks carry bid and ask only (``last`` = 0, volume 0,
flags = TICK_FLAG_BID | TICK_FLAG_ASK).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from MetaTrader5 import constants as c
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE
from MetaTrader5.server.book import BookLevel, book_levels
from MetaTrader5.server.catalog import SESSION_MODES, Catalog
from MetaTrader5.server.clock import ServerClock
from MetaTrader5.server.history import (
    DAY,
    HISTORY_START,
    LAYER_TICKS,
    DayBars,
    PricePath,
    aggregate,
    bar_open_times,
    rng_for,
    timeframe_seconds,
)
from MetaTrader5.server.replay import ReplaySeries, overlay
from MetaTrader5.server.symbols import SymbolSpec

__all__ = ["HISTORY_START_MS", "MarketData"]

#: First server time (ms) with data.
HISTORY_START_MS = HISTORY_START * 1000
_HOUR_MS = 3_600_000
_FLAGS = c.TICK_FLAG_BID | c.TICK_FLAG_ASK
_QUOTE_LOOKBACK_HOURS = 24 * 14
Array = npt.NDArray[np.void]


def draw_ticks(spec: SymbolSpec, bars: DayBars, hour: int, rng: np.random.Generator) -> Array:
    """Ticks of ``hour`` (0-23) of a day whose minutes are marked synthetic (vectorised)."""
    sl = slice(hour * 60, hour * 60 + 60)
    n = np.where(bars.synthetic[sl], bars.count[sl], 0)
    total = int(n.sum())
    if total == 0:
        return np.empty(0, TICKS_DTYPE)
    minute = np.repeat(np.arange(60), n)
    starts = np.cumsum(n) - n
    j = np.arange(total) - np.repeat(starts, n)
    nn = np.repeat(n, n)
    base_ms = (bars.day * DAY + (hour * 60 + minute) * 60) * 1000
    # Offsets stay inside their minute, so sorting all times keeps every tick in its minute.
    times = np.sort(base_ms + rng.integers(0, 60_000, total))
    o, hi, lo, cl = (np.asarray(a[sl], dtype=np.int64) for a in
                     (bars.open, bars.high, bars.low, bars.close))
    to, th, tl, tc = o[minute], hi[minute], lo[minute], cl[minute]
    frac = j / np.maximum(nn - 1, 1)
    drift = to + (tc - to) * frac + rng.standard_normal(total) * (th - tl) * 0.3
    vals = np.clip(np.rint(drift).astype(np.int64), tl, th)
    vals = np.where(j == 0, to, np.where(j == nn - 1, tc, vals))
    u = rng.random((2, 60))
    big = np.flatnonzero(n >= 4)
    if len(big):
        nb = n[big]
        ih = 1 + np.floor(u[0, big] * (nb - 2)).astype(np.int64)
        il = 1 + np.floor(u[1, big] * (nb - 3)).astype(np.int64)
        il = il + (il >= ih)
        vals[starts[big] + ih] = hi[big]
        vals[starts[big] + il] = lo[big]
    three = np.flatnonzero(n == 3)
    if len(three):
        top, bottom = np.maximum(o[three], cl[three]), np.minimum(o[three], cl[three])
        mid = starts[three] + 1
        vals[mid] = np.where(hi[three] > top, hi[three],
                             np.where(lo[three] < bottom, lo[three], vals[mid]))
    extra = rng.integers(0, 3, total) * (rng.random(total) < 0.3)
    spread = np.asarray(bars.spread[sl], dtype=np.int64)[minute] + np.where(j == 0, 0, extra)
    out = np.zeros(total, TICKS_DTYPE)
    out["time"] = times // 1000
    out["time_msc"] = times
    out["bid"] = np.round(vals * spec.point, spec.digits)
    out["ask"] = np.round((vals + spread) * spec.point, spec.digits)
    out["flags"] = _FLAGS
    return out


def _tick_bar(spec: SymbolSpec, ticks: Array, minute_start: int) -> Array:
    """One M1 bar from the ticks of a (partial) minute."""
    bar = np.zeros(1, RATES_DTYPE)
    bid = ticks["bid"]
    bar[0] = (minute_start, bid[0], bid.max(), bid.min(), bid[-1], len(ticks),
              int(np.rint((ticks["ask"] - bid) / spec.point).min()), 0)
    return bar


class MarketData:
    """Deterministic market data of a catalogue (server time everywhere).

    Args:
        catalog: the symbols; build it with the same ``sessions_mode`` (its schedules are used).
        seed: the path seed; same seed, same prices.
        clock: server clock deciding "now" (default: real time, default zone).
        sessions_mode: ``"always"`` (no closed periods) or ``"realistic"`` (the catalogue's
            quote sessions: no ticks and no bars while closed).
        replays: loaded replay files, each overriding its symbol's path where it has data.
        tick_cache_ticks: bound of the tick cache (hour chunks, least recently used first out).

    Raises:
        ValueError: unknown sessions mode, or a replay for a symbol not in the catalogue.
    """

    def __init__(
        self,
        catalog: Catalog,
        seed: int = 0,
        clock: ServerClock | None = None,
        sessions_mode: str = "always",
        *,
        replays: Iterable[ReplaySeries] = (),
        tick_cache_ticks: int = 400_000,
    ) -> None:
        if sessions_mode not in SESSION_MODES:
            raise ValueError(f"unknown sessions mode {sessions_mode!r}")
        self.catalog = catalog
        self.seed = seed
        self.clock = clock or ServerClock()
        self.sessions_mode = sessions_mode
        self._path = PricePath(seed, sessions_mode)
        self._replays: dict[int, tuple[ReplaySeries, Array]] = {}
        for series in replays:
            spec = catalog.by_name(series.symbol)
            if spec is None:
                raise ValueError(f"{series.source}: replay symbol {series.symbol!r} is unknown")
            self._replays[spec.symbol_id] = (series, series.m1_rates(spec.point))
        self._ticks: OrderedDict[tuple[int, int], Array] = OrderedDict()
        self._tick_total = 0
        self._tick_limit = tick_cache_ticks
        self._d1: OrderedDict[tuple[int, int], Array] = OrderedDict()
        #: symbol -> (from_ms, until_ms, quote): ``quote()`` for any time in [from, until).
        self._quotes: dict[str, tuple[int, int, tuple[float, float, int]]] = {}

    # -- lookups -----------------------------------------------------------------------
    def spec(self, symbol: str) -> SymbolSpec | None:
        """The catalogue entry of ``symbol``, or None (engine ``MarketView`` protocol)."""
        return self.catalog.by_name(symbol)

    def _spec(self, symbol: str) -> SymbolSpec:
        spec = self.catalog.by_name(symbol)
        if spec is None:
            raise KeyError(f"unknown symbol {symbol!r}")
        return spec

    def now_ms(self) -> int:
        """The current server time in ms (the clock's ``now_server_ms``)."""
        return self.clock.now_server_ms()

    _now_ms = now_ms

    def day_bars(self, spec: SymbolSpec, day: int) -> DayBars:
        """The minute layer of server ``day``, replay applied."""
        bars = self._path.day_bars(spec, day)
        replay = self._replays.get(spec.symbol_id)
        if replay is not None:
            bars = overlay(bars, replay[0], replay[1], spec.point, spec.spread_points)
        return bars

    def hour_ticks(self, spec: SymbolSpec, hour: int, *, cache: bool = True) -> Array:
        """Every tick of server ``hour`` (epoch hours), ignoring "now" (TICKS_DTYPE).

        ``cache=False`` neither fills nor reorders the tick cache: for callers that keep the
        result in a cache of their own (the wire cache of cmd 30002).
        """
        key = (spec.symbol_id, hour)
        cached = self._ticks.get(key)
        if cached is not None:
            if cache:
                self._ticks.move_to_end(key)
            return cached
        day, hh = divmod(hour, 24)
        bars = self.day_bars(spec, day)
        ticks = draw_ticks(spec, bars, hh, rng_for(self.seed, spec.symbol_id, LAYER_TICKS, hour))
        replay = self._replays.get(spec.symbol_id)
        if replay is not None and replay[0].kind == "ticks":
            t = replay[0].ticks
            lo, hi = np.searchsorted(t["time_msc"], [hour * _HOUR_MS, (hour + 1) * _HOUR_MS])
            if hi > lo:
                ticks = np.concatenate((ticks, t[lo:hi]))
                ticks = ticks[np.argsort(ticks["time_msc"], kind="stable")]
        if not cache:
            return ticks
        self._ticks[key] = ticks
        self._tick_total += len(ticks)
        while self._tick_total > self._tick_limit and len(self._ticks) > 1:
            _, dropped = self._ticks.popitem(last=False)
            self._tick_total -= len(dropped)
        return ticks

    # -- ticks -------------------------------------------------------------------------
    def ticks(self, symbol: str, from_ms: int, to_ms: int, max_count: int | None = None) -> Array:
        """Ticks with ``from_ms <= time_msc <= to_ms`` (capped at now), oldest first.

        Returns TICKS_DTYPE with plain prices; at most ``max_count`` (the oldest ones).
        """
        spec = self._spec(symbol)
        lo = max(from_ms, HISTORY_START_MS)
        hi = min(to_ms, self._now_ms())
        parts: list[Array] = []
        got = 0
        for hour in range(lo // _HOUR_MS, hi // _HOUR_MS + 1) if lo <= hi else ():
            chunk = self.hour_ticks(spec, hour)
            if len(chunk) == 0:
                continue
            times = chunk["time_msc"]
            a = int(np.searchsorted(times, lo, side="left"))
            b = int(np.searchsorted(times, hi, side="right"))
            if b > a:
                parts.append(chunk[a:b])
                got += b - a
            if max_count is not None and got >= max_count:
                break
        out = np.concatenate(parts) if parts else np.empty(0, TICKS_DTYPE)
        return out[:max_count] if max_count is not None else out

    def ticks_since(self, symbol: str, after_ms: int, until_ms: int) -> Array:
        """Ticks with ``after_ms < time_msc <= until_ms`` (capped at now): the live pump's step.

        Empty when ``until_ms <= after_ms`` (e.g. when the server clock fell back an hour).
        """
        return self.ticks(symbol, after_ms + 1, until_ms)

    def quote(self, symbol: str, at_ms: int | None = None) -> tuple[float, float, int] | None:
        """``(bid, ask, time_msc)`` of the latest tick at or before ``at_ms`` (default now).

        Looks back up to two weeks (weekends, holidays); None if there is no such tick.
        """
        now = self._now_ms()
        at = now if at_ms is None else min(at_ms, now)
        # The history is deterministic, so a quote stays right until the next tick: every
        # trade between two ticks is answered without the numpy lookup below.
        cached = self._quotes.get(symbol)
        if cached is not None and cached[0] <= at < cached[1]:
            return cached[2]
        spec = self._spec(symbol)
        hour = at // _HOUR_MS
        for _ in range(_QUOTE_LOOKBACK_HOURS):
            if hour * _HOUR_MS < HISTORY_START_MS:
                return None
            day, hh = divmod(hour, 24)
            if self.day_bars(spec, day).count[hh * 60 : hh * 60 + 60].any():
                chunk = self.hour_ticks(spec, hour)
                times = chunk["time_msc"]
                idx = int(np.searchsorted(times, at, side="right"))
                if idx > 0:
                    tick = chunk[idx - 1]
                    quote = float(tick["bid"]), float(tick["ask"]), int(tick["time_msc"])
                    if hour == at // _HOUR_MS:
                        # the next tick, or the end of the hour (the next chunk is unseen)
                        until = int(times[idx]) if idx < len(times) else (hour + 1) * _HOUR_MS
                        self._quotes[symbol] = (quote[2], until, quote)
                    return quote
            hour -= 1
        return None

    # -- bars --------------------------------------------------------------------------
    def _m1_day(self, spec: SymbolSpec, day: int, now_ms: int) -> Array:
        now_s = now_ms // 1000
        if day > now_s // DAY or day < HISTORY_START // DAY:
            return np.empty(0, RATES_DTYPE)
        bars = self.day_bars(spec, day)
        if day < now_s // DAY:
            return bars.rates(spec.point, spec.digits)
        minute = (now_s % DAY) // 60
        done = bars.rates(spec.point, spec.digits, end_minute=minute)
        start_ms = (day * DAY + minute * 60) * 1000
        chunk = self.hour_ticks(spec, start_ms // _HOUR_MS)
        a, b = np.searchsorted(chunk["time_msc"], [start_ms, now_ms + 1])
        if b <= a:
            return done
        return np.concatenate((done, _tick_bar(spec, chunk[a:b], start_ms // 1000)))

    def _d1_day(self, spec: SymbolSpec, day: int, now_ms: int) -> Array:
        if day >= now_ms // 1000 // DAY:
            rates = self._m1_day(spec, day, now_ms)
            return aggregate(rates, np.full(len(rates), day * DAY, dtype=np.int64))
        key = (spec.symbol_id, day)
        cached = self._d1.get(key)
        if cached is None:
            rates = self._m1_day(spec, day, now_ms)
            cached = aggregate(rates, np.full(len(rates), day * DAY, dtype=np.int64))
            self._d1[key] = cached
            if len(self._d1) > 200_000:
                self._d1.popitem(last=False)
        return cached

    def bars(self, symbol: str, timeframe: int, from_s: int, to_s: int) -> Array:
        """Bars whose open time is in ``[from_s, to_s]`` (spec 3.5.3: both inclusive).

        Returns RATES_DTYPE, oldest first, prices plain, ``spread`` = minimal spread in points,
        ``real_volume`` 0 for generated data; the bar containing now is still forming.

        Raises:
            KeyError: unknown symbol. ValueError: unknown timeframe.
        """
        spec = self._spec(symbol)
        period = timeframe_seconds(timeframe)
        now_ms = self._now_ms()
        lo, hi = max(from_s, HISTORY_START), min(to_s, now_ms // 1000)
        if lo > hi:
            return np.empty(0, RATES_DTYPE)
        first_day = int(bar_open_times(np.array([lo]), timeframe)[0]) // DAY
        if 0 < period < DAY:
            parts = [self._m1_day(spec, d, now_ms) for d in range(first_day, hi // DAY + 1)]
        else:
            last_day = min(hi // DAY + 31, now_ms // 1000 // DAY)
            parts = [self._d1_day(spec, d, now_ms) for d in range(first_day, last_day + 1)]
        rates = np.concatenate(parts) if parts else np.empty(0, RATES_DTYPE)
        if timeframe not in (c.TIMEFRAME_M1, c.TIMEFRAME_D1):
            rates = aggregate(rates, bar_open_times(np.asarray(rates["time"]), timeframe))
        keep = (rates["time"] >= from_s) & (rates["time"] <= to_s)
        return rates[keep]

    def last_bars(self, symbol: str, timeframe: int, to_s: int, count: int) -> Array:
        """The last ``count`` bars opening at or before ``to_s`` (copy_rates_from semantics)."""
        period = timeframe_seconds(timeframe) or 31 * DAY
        span = max(count, 1) * period * 2 + DAY
        while True:
            rates = self.bars(symbol, timeframe, to_s - span, to_s)
            if len(rates) >= count or to_s - span <= HISTORY_START:
                return rates[-count:] if count > 0 else rates[:0]
            span *= 4

    # -- sessions and book -------------------------------------------------------------
    def is_market_open(self, symbol: str, server_ms: int | None = None) -> bool:
        """Whether ``symbol`` trades at ``server_ms`` (default now); False -> retcode 10018."""
        spec = self._spec(symbol)
        if self.sessions_mode == "always":
            return True
        at = (self._now_ms() if server_ms is None else server_ms) // 1000
        return spec.sessions.is_trading((at // DAY + 4) % 7, (at % DAY) // 60)

    def is_trading(self, symbol: str, server_ms: int) -> bool:
        """``is_market_open`` under the engine's ``MarketView`` name; False if unknown symbol."""
        return symbol in self.catalog and self.is_market_open(symbol, server_ms)

    def book(self, symbol: str, at_ms: int | None = None) -> tuple[BookLevel, ...]:
        """A synthetic depth of market around the quote at ``at_ms`` (empty without a quote)."""
        spec = self._spec(symbol)
        q = self.quote(symbol, at_ms)
        if q is None:
            return ()
        return book_levels(spec, q[0], q[1], q[2], seed=self.seed)
