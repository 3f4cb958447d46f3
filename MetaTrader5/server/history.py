"""The simulator's deterministic price path, at minute resolution, and bar aggregation.

Layers (each seeded from ``(seed, symbol_id, layer, index)``, so any piece can be rebuilt
alone, in any order, and always comes out the same):

1. Daily anchors: the log price at every server midnight, an Ornstein-Uhlenbeck process around
   ``log(start_price)`` (mean reversion over about two years, so decades of history never drift
   absurdly and prices stay positive). Generated in blocks of 512 days; a block starts where
   the previous one ended (block ends are cached, so reaching 2035 costs a few thousand normals).
2. Minute layer (:class:`DayBars`), one per server day: a Brownian bridge between the day's two
   anchors with intraday activity (busier in the London/New York hours), then for each minute
   its tick count, open, high, low, close (integers in points) and minimal spread. The tick
   layer (``feed.py``) draws ticks that hit these values exactly, so M1 bars built here equal
   M1 bars aggregated from ticks, by construction.
3. Every timeframe aggregates M1 exactly (spec 3.5.3 / 4.2): open = first, high = max, low =
   min, close = last, tick_volume = sum, spread = min. Intraday timeframes all divide the day;
   W1 bars open on Sunday 00:00 server time (as MT5's weeks do); MN1 bars on the 1st.

History starts at :data:`HISTORY_START` (2020-01-01 00:00 server time).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from MetaTrader5 import constants as c
from MetaTrader5.records import RATES_DTYPE
from MetaTrader5.server.symbols import SymbolSpec

__all__ = [
    "DAY",
    "HISTORY_START",
    "TIMEFRAME_SECONDS",
    "DayBars",
    "PricePath",
    "aggregate",
    "bar_open_times",
    "rng_for",
    "timeframe_seconds",
]

DAY = 86_400
MINUTES_PER_DAY = 1440
#: First server time with data: 2020-01-01 00:00.
HISTORY_START = 1_577_836_800
_DAY0 = HISTORY_START // DAY
_BLOCK_DAYS = 512
_REVERSION_PER_YEAR = 0.5

#: Seconds per bar for every official timeframe; MN1 is 0 (calendar months).
TIMEFRAME_SECONDS: dict[int, int] = {
    c.TIMEFRAME_M1: 60,
    c.TIMEFRAME_M2: 120,
    c.TIMEFRAME_M3: 180,
    c.TIMEFRAME_M4: 240,
    c.TIMEFRAME_M5: 300,
    c.TIMEFRAME_M6: 360,
    c.TIMEFRAME_M10: 600,
    c.TIMEFRAME_M12: 720,
    c.TIMEFRAME_M15: 900,
    c.TIMEFRAME_M20: 1200,
    c.TIMEFRAME_M30: 1800,
    c.TIMEFRAME_H1: 3600,
    c.TIMEFRAME_H2: 7200,
    c.TIMEFRAME_H3: 10800,
    c.TIMEFRAME_H4: 14400,
    c.TIMEFRAME_H6: 21600,
    c.TIMEFRAME_H8: 28800,
    c.TIMEFRAME_H12: 43200,
    c.TIMEFRAME_D1: DAY,
    c.TIMEFRAME_W1: 7 * DAY,
    c.TIMEFRAME_MN1: 0,
}

# Seed-sequence layer tags.
LAYER_ANCHORS = 1
LAYER_DAY = 2
LAYER_TICKS = 3

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Relative activity per server hour (UTC+2 based): quiet Asia, busy London and New York.
_HOURLY_ACTIVITY = np.array(
    [0.4, 0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 1.2, 1.3, 1.2, 1.1, 1.1, 1.3, 1.6, 1.8, 1.7,
     1.5, 1.3, 1.0, 0.9, 0.7, 0.5]
)
_ACTIVITY = np.repeat(_HOURLY_ACTIVITY / _HOURLY_ACTIVITY.mean(), 60)

#: Mean ticks per minute at activity 1, by catalogue category.
_TICKS_PER_MINUTE = {"Forex": 35.0, "Metals": 45.0, "Indices": 40.0, "Crypto": 30.0, "Stocks": 20.0}


def rng_for(seed: int, symbol_id: int, layer: int, index: int) -> np.random.Generator:
    """The generator of one piece of the path; pieces never share a stream."""
    seq = np.random.SeedSequence([seed & 0xFFFF_FFFF_FFFF_FFFF, symbol_id, layer, index + 2**40])
    return np.random.Generator(np.random.PCG64(seq))


def timeframe_seconds(timeframe: int) -> int:
    """Bar length in seconds (0 for MN1).

    Raises:
        ValueError: not one of the 21 official timeframes.
    """
    try:
        return TIMEFRAME_SECONDS[timeframe]
    except KeyError:
        raise ValueError(f"unknown timeframe {timeframe}") from None


def bar_open_times(times: I64, timeframe: int) -> I64:
    """Open time (server seconds) of the ``timeframe`` bar containing each time."""
    period = timeframe_seconds(timeframe)
    t = np.asarray(times, dtype=np.int64)
    if timeframe == c.TIMEFRAME_W1:
        days = t // DAY
        # Epoch day 0 was a Thursday: (day + 4) % 7 is the weekday with Sunday = 0.
        return np.asarray((days - (days + 4) % 7) * DAY, dtype=np.int64)
    if period == 0:
        months = (t // DAY).astype("datetime64[D]").astype("datetime64[M]")
        return np.asarray(months.astype("datetime64[D]").astype(np.int64) * DAY, dtype=np.int64)
    return np.asarray(t - t % period, dtype=np.int64)


def aggregate(rates: npt.NDArray[np.void], keys: I64) -> npt.NDArray[np.void]:
    """Merge time-ordered bars sharing a key (the coarser open time) into one bar each."""
    count = len(rates)
    if count == 0:
        return np.empty(0, RATES_DTYPE)
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [count]))
    out = np.empty(len(starts), RATES_DTYPE)
    out["time"] = keys[starts]
    out["open"] = rates["open"][starts]
    out["high"] = np.maximum.reduceat(rates["high"], starts)
    out["low"] = np.minimum.reduceat(rates["low"], starts)
    out["close"] = rates["close"][ends - 1]
    out["tick_volume"] = np.add.reduceat(rates["tick_volume"], starts)
    out["spread"] = np.minimum.reduceat(rates["spread"], starts)
    out["real_volume"] = np.add.reduceat(rates["real_volume"], starts)
    return out


@dataclass(frozen=True, slots=True)
class DayBars:
    """The minute layer of one server day; prices are integers in points (spec 3.5.3)."""

    day: int  # server epoch day
    count: I64  # ticks per minute, 0 = no bar (closed or no data)
    open: I64
    high: I64
    low: I64
    close: I64
    spread: I64  # minimal spread of the minute, points
    synthetic: npt.NDArray[np.bool_]  # minutes whose ticks are drawn (False: replayed ticks)

    def rates(self, point: float, digits: int, end_minute: int = MINUTES_PER_DAY) -> (
        npt.NDArray[np.void]
    ):
        """M1 bars (RATES_DTYPE) of the minutes before ``end_minute`` that have ticks."""
        idx = np.flatnonzero(self.count[:end_minute] > 0)
        out = np.empty(len(idx), RATES_DTYPE)
        out["time"] = self.day * DAY + idx * 60
        for name, values in (
            ("open", self.open), ("high", self.high), ("low", self.low), ("close", self.close)
        ):
            out[name] = np.round(values[idx] * point, digits)
        out["tick_volume"] = self.count[idx]
        out["spread"] = self.spread[idx]
        out["real_volume"] = 0
        return out


def _session_minutes(sessions: tuple[tuple[int, int], ...]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(MINUTES_PER_DAY, dtype=bool)
    for start, end in sessions:
        mask[max(0, start) : min(MINUTES_PER_DAY, end)] = True
    return mask


def _spread_widening(sessions: tuple[tuple[int, int], ...]) -> F64:
    """Spread multiplier per minute: rollover at server midnight, and session edges."""
    minute = np.arange(MINUTES_PER_DAY)
    mult = np.ones(MINUTES_PER_DAY)
    mult[(minute >= 1430) | (minute < 15)] = 2.5
    mult[(minute >= 1438) | (minute < 5)] = 5.0
    for start, end in sessions:
        if 0 < start < MINUTES_PER_DAY:
            mult[start : start + 10] = np.maximum(mult[start : start + 10], 2.0)
        if 0 < end < MINUTES_PER_DAY:
            mult[max(0, end - 5) : end] = np.maximum(mult[max(0, end - 5) : end], 2.0)
    return mult


class PricePath:
    """Generator of anchors and minute layers for every symbol (no replay, no clock)."""

    def __init__(self, seed: int, sessions_mode: str = "always", day_cache: int = 256) -> None:
        self.seed = seed
        self.realistic = sessions_mode == "realistic"
        self._day_cache: OrderedDict[tuple[int, int], DayBars] = OrderedDict()
        self._day_cache_size = day_cache
        self._block_starts: dict[int, list[float]] = {}
        self._blocks: OrderedDict[tuple[int, int], F64] = OrderedDict()
        self._weekday_cache: dict[tuple[int, int], tuple[npt.NDArray[np.bool_], F64]] = {}

    # -- layer 1 -------------------------------------------------------------------------
    def _block(self, spec: SymbolSpec, k: int) -> F64:
        key = (spec.symbol_id, k)
        cached = self._blocks.get(key)
        if cached is not None:
            self._blocks.move_to_end(key)
            return cached
        starts = self._block_starts.setdefault(spec.symbol_id, [0.0])
        while len(starts) <= k:  # only block ends are kept, so this walk is short and cheap
            starts.append(float(self._compute_block(spec, len(starts) - 1, starts[-1])[-1]))
        block = self._compute_block(spec, k, starts[k])
        self._blocks[key] = block
        if len(self._blocks) > 64:
            self._blocks.popitem(last=False)
        return block

    def _compute_block(self, spec: SymbolSpec, k: int, y0: float) -> F64:
        rng = rng_for(self.seed, spec.symbol_id, LAYER_ANCHORS, k)
        a = math.exp(-_REVERSION_PER_YEAR / 365.0)
        step_sd = spec.volatility / math.sqrt(365.0)
        i = np.arange(1, _BLOCK_DAYS + 1, dtype=np.float64)
        # AR(1) without a Python loop: y_j = a^j (y_0 + sum_{i<=j} a^-i e_i).
        shocks = rng.standard_normal(_BLOCK_DAYS) * step_sd
        path = a**i * (y0 + np.cumsum(a ** (-i) * shocks))
        return np.concatenate(([y0], path))

    def anchor(self, spec: SymbolSpec, day: int) -> float:
        """Log-price deviation from ``log(start_price)`` at the start of server ``day``."""
        k, j = divmod(max(day, _DAY0) - _DAY0, _BLOCK_DAYS)
        return float(self._block(spec, k)[j])

    # -- layer 2 -------------------------------------------------------------------------
    def _weekday_tables(self, spec: SymbolSpec, weekday: int) -> tuple[
        npt.NDArray[np.bool_], F64
    ]:
        key = (spec.symbol_id, weekday)
        cached = self._weekday_cache.get(key)
        if cached is None:
            sessions = spec.sessions.quote[weekday] if self.realistic else ((0, 1440),)
            cached = (_session_minutes(sessions), _spread_widening(sessions))
            self._weekday_cache[key] = cached
        return cached

    def day_bars(self, spec: SymbolSpec, day: int) -> DayBars:
        """The generated minute layer of server ``day`` (empty before :data:`HISTORY_START`)."""
        key = (spec.symbol_id, day)
        cached = self._day_cache.get(key)
        if cached is not None:
            self._day_cache.move_to_end(key)
            return cached
        bars = self._compute_day(spec, day)
        self._day_cache[key] = bars
        if len(self._day_cache) > self._day_cache_size:
            self._day_cache.popitem(last=False)
        return bars

    def _compute_day(self, spec: SymbolSpec, day: int) -> DayBars:
        n_min = MINUTES_PER_DAY
        if day < _DAY0:
            zeros = np.zeros(n_min, dtype=np.int64)
            return DayBars(day, zeros, zeros, zeros, zeros, zeros, zeros, np.ones(n_min, bool))
        rng = rng_for(self.seed, spec.symbol_id, LAYER_DAY, day)
        y0, y1 = self.anchor(spec, day), self.anchor(spec, day + 1)
        var_day = spec.volatility**2 / 365.0
        minute_var = var_day * _ACTIVITY / n_min
        walk = np.cumsum(rng.standard_normal(n_min) * np.sqrt(minute_var))
        share = np.cumsum(_ACTIVITY) / n_min
        # Brownian bridge with time-varying variance, pinned to tomorrow's anchor.
        level_end = y0 + walk - share * (walk[-1] - (y1 - y0))
        level_start = np.concatenate(([y0], level_end[:-1]))
        scale = spec.start_price / spec.point
        p_open = scale * np.exp(level_start)
        p_close = scale * np.exp(level_end)
        o = np.rint(p_open + rng.normal(0.0, 0.6, n_min)).astype(np.int64)
        cl = np.rint(p_close + rng.normal(0.0, 0.6, n_min)).astype(np.int64)
        sd = p_open * np.sqrt(minute_var)
        u_hi = 1.0 - rng.random(n_min)
        u_lo = 1.0 - rng.random(n_min)
        gap2 = (cl - o).astype(np.float64) ** 2
        # Maximum and minimum of a Brownian bridge from o to cl with variance sd^2.
        hi = np.rint((o + cl + np.sqrt(gap2 - 2.0 * sd**2 * np.log(u_hi))) / 2.0).astype(np.int64)
        lo = np.rint((o + cl - np.sqrt(gap2 - 2.0 * sd**2 * np.log(u_lo))) / 2.0).astype(np.int64)
        rate = _TICKS_PER_MINUTE.get(spec.category, 25.0) * _ACTIVITY
        count = np.maximum(rng.poisson(rate), 1).astype(np.int64)
        weekday = (day + 4) % 7
        open_mask, widening = self._weekday_tables(spec, weekday)
        noise = np.exp(0.15 * rng.standard_normal(n_min))
        spread = np.maximum(np.rint(spec.spread_points * noise * widening), 1).astype(np.int64)
        o, hi, lo, cl = (np.maximum(x, 1) for x in (o, hi, lo, cl))
        count = np.where(open_mask, count, 0)
        bars = DayBars(day, count, o, hi, lo, cl, spread, np.ones(n_min, dtype=bool))
        return fit_to_counts(bars)


def fit_to_counts(bars: DayBars) -> DayBars:
    """Make each minute drawable with its tick count (first tick = open, last = close).

    One tick: open = high = low = close. Two: high/low are the open/close. Three: only one
    extreme may lie strictly outside open/close (it takes the single middle tick); the smaller
    excursion is dropped.
    """
    n, o, h, lo_, cl = bars.count, bars.open, bars.high, bars.low, bars.close
    cl = np.where(n == 1, o, cl)
    top, bottom = np.maximum(o, cl), np.minimum(o, cl)
    h = np.maximum(h, top)
    lo_ = np.minimum(lo_, bottom)
    h = np.where(n <= 2, top, h)
    lo_ = np.where(n <= 2, bottom, lo_)
    both = (n == 3) & (h > top) & (lo_ < bottom)
    keep_high = (h - top) >= (bottom - lo_)
    h = np.where(both & ~keep_high, top, h)
    lo_ = np.where(both & keep_high, bottom, lo_)
    return DayBars(bars.day, n, o, h, lo_, cl, bars.spread, bars.synthetic)
