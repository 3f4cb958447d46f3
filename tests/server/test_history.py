"""Bars of every timeframe: exact aggregation, alignment, history bounds, lazy generation."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import numpy.typing as npt
import pytest

from MetaTrader5 import constants as c
from MetaTrader5.records import RATES_DTYPE
from MetaTrader5.server.catalog import default_catalog
from MetaTrader5.server.clock import DEFAULT_TIMEZONE, ServerClock
from MetaTrader5.server.feed import MarketData
from MetaTrader5.server.history import (
    HISTORY_START,
    TIMEFRAME_SECONDS,
    PricePath,
    aggregate,
    bar_open_times,
    timeframe_seconds,
)

NOW_UTC_MS = calendar.timegm((2026, 5, 27, 12, 0, 0)) * 1000
DAY = 86400


def market(seed: int = 3, sessions: str = "always") -> MarketData:
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: NOW_UTC_MS)
    return MarketData(default_catalog(sessions), seed, clock, sessions)


def regroup(rates: npt.NDArray[np.void], timeframe: int) -> npt.NDArray[np.void]:
    """Aggregate finer bars by hand (independently of ``history.aggregate``)."""
    keys = bar_open_times(np.asarray(rates["time"]), timeframe)
    out = []
    for key in np.unique(keys):
        part = rates[keys == key]
        out.append((key, part["open"][0], part["high"].max(), part["low"].min(),
                    part["close"][-1], part["tick_volume"].sum(), part["spread"].min(), 0))
    return np.array(out, dtype=RATES_DTYPE)


def same(a: npt.NDArray[np.void], b: npt.NDArray[np.void]) -> None:
    assert len(a) == len(b)
    for name in RATES_DTYPE.names or ():
        assert np.array_equal(a[name], b[name]), name


def test_all_21_timeframes_known() -> None:
    assert len(TIMEFRAME_SECONDS) == 21
    assert timeframe_seconds(c.TIMEFRAME_H4) == 4 * 3600
    with pytest.raises(ValueError, match="timeframe"):
        timeframe_seconds(7)


def test_intraday_timeframes_aggregate_m1() -> None:
    md = market()
    start = calendar.timegm((2026, 5, 25, 0, 0, 0))
    end = start + 2 * DAY - 1
    m1 = md.bars("EURGBP", c.TIMEFRAME_M1, start, end)
    assert len(m1) == 2 * 1440
    for tf, seconds in TIMEFRAME_SECONDS.items():
        if not 60 < seconds <= 43200:
            continue
        bars = md.bars("EURGBP", tf, start, end)
        same(bars, regroup(m1, tf))
        assert np.all(bars["time"] % seconds == 0)


def test_daily_weekly_monthly_aggregate_hourly() -> None:
    md = market()
    start = calendar.timegm((2026, 2, 1, 0, 0, 0))  # a Sunday and a month start
    end = calendar.timegm((2026, 4, 30, 23, 59, 0))
    h1 = md.bars("XAUUSD", c.TIMEFRAME_H1, start, end)
    d1 = md.bars("XAUUSD", c.TIMEFRAME_D1, start, end)
    same(d1, regroup(h1, c.TIMEFRAME_D1))
    w1 = md.bars("XAUUSD", c.TIMEFRAME_W1, start, end)
    weeks_d1 = md.bars("XAUUSD", c.TIMEFRAME_D1, start, int(w1["time"][-1]) + 7 * DAY - 1)
    same(w1, regroup(weeks_d1, c.TIMEFRAME_W1))
    for t in w1["time"]:  # MT5 weeks open on Sunday 00:00
        assert dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%a %H:%M") == "Sun 00:00"
    mn1 = md.bars("XAUUSD", c.TIMEFRAME_MN1, start, end)
    assert [dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%m-%d") for t in mn1["time"]] \
        == ["02-01", "03-01", "04-01"]
    same(mn1, regroup(d1, c.TIMEFRAME_MN1))


def test_bar_bounds_are_inclusive_open_times() -> None:
    md = market()
    t = calendar.timegm((2026, 5, 26, 10, 0, 0))
    bars = md.bars("EURUSD", c.TIMEFRAME_H1, t, t + 3600)
    assert list(bars["time"]) == [t, t + 3600]
    assert md.bars("EURUSD", c.TIMEFRAME_H1, t + 1, t + 3599).size == 0


def test_history_starts_in_2020() -> None:
    md = market()
    assert md.bars("EURUSD", c.TIMEFRAME_D1, 0, HISTORY_START - 1).size == 0
    first = md.bars("EURUSD", c.TIMEFRAME_D1, 0, HISTORY_START + 3 * DAY)
    assert list(first["time"]) == [HISTORY_START + i * DAY for i in range(4)]
    assert md.ticks("EURUSD", 0, HISTORY_START * 1000 - 1).size == 0


def test_anchor_path_mean_reverts_for_decades() -> None:
    path = PricePath(seed=11)
    days = range(HISTORY_START // DAY, HISTORY_START // DAY + 20 * 365, 5)
    for spec in default_catalog():
        levels = np.array([path.anchor(spec, d) for d in days])
        # Log-price deviation from the start price: a few annual sigmas at most, never absurd.
        assert np.abs(levels).max() < 6 * spec.volatility + 0.05, spec.name
        assert levels[0] == 0.0


@pytest.mark.slow
def test_monthly_bars_of_every_symbol_stay_sane() -> None:
    md = market()
    for spec in default_catalog():
        mn1 = md.bars(spec.name, c.TIMEFRAME_MN1, 0, 2**31 - 1)
        assert mn1["time"][0] == HISTORY_START
        assert len(mn1) == 6 * 12 + 5  # 2020-01 .. 2026-05
        assert np.all(mn1["low"] > 0)
        assert mn1["low"].min() > spec.start_price / 20
        assert mn1["high"].max() < spec.start_price * 20


def test_a_year_of_daily_bars_is_lazy_and_bounded() -> None:
    md = market()
    end = NOW_UTC_MS // 1000
    d1 = md.bars("BTCUSD", c.TIMEFRAME_D1, end - 365 * DAY, end)
    assert 365 <= len(d1) <= 366
    assert np.all(np.diff(d1["time"]) == DAY)
    assert np.all(d1["tick_volume"] > 10_000)
    # The same bars again, from a fresh market, in another order of requests.
    other = market()
    other.bars("BTCUSD", c.TIMEFRAME_M5, end - 3 * DAY, end)
    same(other.bars("BTCUSD", c.TIMEFRAME_D1, end - 365 * DAY, end), d1)


def test_last_bars() -> None:
    md = market()
    end = NOW_UTC_MS // 1000
    last = md.last_bars("EURUSD", c.TIMEFRAME_H4, end, 50)
    assert len(last) == 50
    assert last["time"][-1] <= end < last["time"][-1] + 4 * 3600
    same(last, md.bars("EURUSD", c.TIMEFRAME_H4, int(last["time"][0]), end))


def test_aggregate_helper_empty() -> None:
    assert aggregate(np.empty(0, RATES_DTYPE), np.empty(0, np.int64)).size == 0
