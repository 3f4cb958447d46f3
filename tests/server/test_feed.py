"""Ticks, quotes, live stream and book of the deterministic market."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import numpy.typing as npt

from MetaTrader5 import constants as c
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE
from MetaTrader5.server.catalog import default_catalog
from MetaTrader5.server.clock import DEFAULT_TIMEZONE, ServerClock
from MetaTrader5.server.feed import MarketData

NOW_UTC_MS = calendar.timegm((2026, 5, 27, 12, 0, 0)) * 1000  # a Wednesday
HOUR_MS = 3_600_000


def server_ms(year: int, month: int, day: int) -> int:
    return int(dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp()) * 1000


def market(seed: int = 7, sessions: str = "always", now: list[int] | None = None,
           tick_cache_ticks: int = 400_000) -> MarketData:
    holder = now if now is not None else [NOW_UTC_MS]
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: holder[0])
    return MarketData(default_catalog(sessions), seed, clock, sessions,
                      tick_cache_ticks=tick_cache_ticks)


def m1_from_ticks(ticks: npt.NDArray[np.void], point: float) -> npt.NDArray[np.void]:
    minute = ticks["time_msc"] // 60_000
    cut = np.flatnonzero(np.diff(minute)) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(ticks)]))
    out = np.zeros(len(starts), RATES_DTYPE)
    out["time"] = minute[starts] * 60
    out["open"] = ticks["bid"][starts]
    out["close"] = ticks["bid"][ends - 1]
    out["high"] = [ticks["bid"][a:b].max() for a, b in zip(starts, ends, strict=True)]
    out["low"] = [ticks["bid"][a:b].min() for a, b in zip(starts, ends, strict=True)]
    out["tick_volume"] = ends - starts
    spread = np.rint((ticks["ask"] - ticks["bid"]) / point)
    out["spread"] = [spread[a:b].min() for a, b in zip(starts, ends, strict=True)]
    return out


def test_same_seed_same_ticks_other_seed_other_ticks() -> None:
    now = market().now_ms()
    a = market(7).ticks("EURUSD", now - HOUR_MS, now)
    b = market(7).ticks("EURUSD", now - HOUR_MS, now)
    other = market(8).ticks("EURUSD", now - HOUR_MS, now)
    assert a.dtype == TICKS_DTYPE and len(a) > 100
    assert np.array_equal(a, b)
    assert not np.array_equal(a[: len(other)], other[: len(a)])


def test_ticks_are_well_formed() -> None:
    md = market()
    now = md.now_ms()
    for name in ("EURUSD", "USDJPY", "XAUUSD", "BTCUSD", "US30", "AAPL"):
        spec = md.spec(name)
        assert spec is not None
        t = md.ticks(name, now - 2 * HOUR_MS, now)
        assert len(t) > 0
        assert np.all(np.diff(t["time_msc"]) >= 0)
        assert t["time_msc"][0] >= now - 2 * HOUR_MS and t["time_msc"][-1] <= now
        assert np.array_equal(t["time"], t["time_msc"] // 1000)
        scaled = t["bid"] / spec.point
        assert np.allclose(scaled, np.rint(scaled), atol=1e-6)
        assert np.all(t["ask"] > t["bid"]) and np.all(t["bid"] > 0)
        assert np.all(t["flags"] == c.TICK_FLAG_BID | c.TICK_FLAG_ASK)
        assert abs(np.log(t["bid"][-1] / spec.start_price)) < 2.0


def test_m1_bars_aggregate_ticks_exactly() -> None:
    md = market()
    spec = md.spec("GBPJPY")
    assert spec is not None
    now = md.now_ms()
    start = (now - 3 * HOUR_MS) // 60_000 * 60_000
    ticks = md.ticks("GBPJPY", start, now)
    bars = md.bars("GBPJPY", c.TIMEFRAME_M1, start // 1000, now // 1000)
    expected = m1_from_ticks(ticks, spec.point)
    assert len(bars) == len(expected) > 170
    for name in ("time", "open", "high", "low", "close", "tick_volume", "spread"):
        assert np.array_equal(bars[name], expected[name]), name


def test_nothing_after_now_and_forming_bar_follows_the_stream() -> None:
    now = [NOW_UTC_MS]
    md = market(now=now)
    t0 = md.now_ms()
    assert len(md.ticks("EURUSD", t0 + 1, t0 + HOUR_MS)) == 0
    assert md.bars("EURUSD", c.TIMEFRAME_M1, t0 // 1000 + 60, t0 // 1000 + 3600).size == 0
    streamed = []
    last = t0
    for _ in range(12):  # pump the live stream for two minutes, in 10.5 s steps
        now[0] += 10_500
        until = md.now_ms()
        streamed.append(md.ticks_since("EURUSD", last, until))
        last = until
    live = np.concatenate(streamed)
    history = md.ticks("EURUSD", t0 + 1, last)
    assert np.array_equal(live, history)
    fresh = market(now=[now[0]])  # a restarted server sees the same past
    assert np.array_equal(fresh.ticks("EURUSD", t0 + 1, last), live)
    minute = last // 60_000 * 60_000
    bar = md.bars("EURUSD", c.TIMEFRAME_M1, minute // 1000, last // 1000)  # still forming
    part = md.ticks("EURUSD", minute, last)
    assert len(bar) == 1 and bar["tick_volume"][0] == len(part)
    assert bar["close"][0] == part["bid"][-1]
    assert md.ticks_since("EURUSD", last, last - 5).size == 0


def test_quote_is_the_latest_tick_at_or_before() -> None:
    md = market()
    now = md.now_ms()
    ticks = md.ticks("EURUSD", now - HOUR_MS, now)
    q = md.quote("EURUSD")
    assert q == (float(ticks["bid"][-1]), float(ticks["ask"][-1]), int(ticks["time_msc"][-1]))
    mid = int(ticks["time_msc"][len(ticks) // 2])
    q_mid = md.quote("EURUSD", mid)
    assert q_mid is not None and q_mid[2] == mid
    assert md.quote("EURUSD", 1_000_000) is None  # before the history start
    assert md.spec("NOPE") is None


def test_generation_order_and_cache_size_do_not_matter() -> None:
    now = market().now_ms()
    a = market()
    late = a.ticks("USDCHF", now - HOUR_MS, now)
    early = a.ticks("USDCHF", now - 30 * HOUR_MS, now - 29 * HOUR_MS)
    b = market(tick_cache_ticks=1000)
    assert np.array_equal(b.ticks("USDCHF", now - 30 * HOUR_MS, now - 29 * HOUR_MS), early)
    assert np.array_equal(b.ticks("USDCHF", now - HOUR_MS, now), late)


def test_max_count_takes_the_oldest() -> None:
    md = market()
    now = md.now_ms()
    full = md.ticks("EURUSD", now - 5 * HOUR_MS, now)
    first = md.ticks("EURUSD", now - 5 * HOUR_MS, now, max_count=100)
    assert np.array_equal(first, full[:100])


def test_spread_widens_at_rollover() -> None:
    md = market()
    day = server_ms(2026, 5, 20) // 1000
    bars = md.bars("EURUSD", c.TIMEFRAME_M1, day - 600, day + 600)
    busy = md.bars("EURUSD", c.TIMEFRAME_M1, day + 15 * 3600, day + 15 * 3600 + 1200)
    assert bars["spread"].mean() > 2 * busy["spread"].mean()


def test_realistic_sessions_close_the_weekend() -> None:
    saturday = server_ms(2026, 5, 23) // 1000
    sunday_end = saturday + 2 * 86400 - 1
    real = market(sessions="realistic")
    always = market()
    assert real.bars("EURUSD", c.TIMEFRAME_M1, saturday, sunday_end).size == 0
    assert real.bars("EURUSD", c.TIMEFRAME_H1, saturday, sunday_end).size == 0
    assert real.ticks("EURUSD", saturday * 1000, sunday_end * 1000).size == 0
    assert len(always.bars("EURUSD", c.TIMEFRAME_M1, saturday, sunday_end)) == 2 * 1440
    assert len(always.bars("EURUSD", c.TIMEFRAME_D1, saturday, sunday_end)) == 2
    assert real.bars("BTCUSD", c.TIMEFRAME_D1, saturday, sunday_end).size == 2  # crypto trades
    assert not real.is_market_open("EURUSD", (saturday + 3600) * 1000)
    assert not real.is_trading("EURUSD", (saturday + 3600) * 1000)
    assert always.is_market_open("EURUSD", (saturday + 3600) * 1000)
    assert real.is_market_open("EURUSD", (saturday - 3600) * 1000)
    q = real.quote("EURUSD", (saturday + 86400) * 1000)
    # Friday's last trading minute is 23:58 (the session ends at 23:59).
    assert q is not None and saturday * 1000 - 120_000 <= q[2] < saturday * 1000 - 60_000
    friday = real.bars("EURUSD", c.TIMEFRAME_M1, saturday - 86400, saturday - 1)
    assert len(friday) == 1439  # Friday closes at 23:59
    daily = real.bars("AAPL", c.TIMEFRAME_M1, saturday - 86400, saturday - 1)
    assert daily["time"].min() % 86400 == 16 * 3600 + 30 * 60


def test_book_is_deterministic_and_ordered() -> None:
    md = market()
    book = md.book("EURUSD")
    assert book == market().book("EURUSD")
    q = md.quote("EURUSD")
    assert q is not None
    sells = [lv for lv in book if lv.type == c.BOOK_TYPE_SELL]
    buys = [lv for lv in book if lv.type == c.BOOK_TYPE_BUY]
    assert len(sells) == len(buys) == 10
    assert list(book[:10]) == sells
    assert [s.price for s in sells] == sorted((s.price for s in sells), reverse=True)
    assert [b.price for b in buys] == sorted((b.price for b in buys), reverse=True)
    assert sells[-1].price == q[1] and buys[0].price == q[0]
    assert all(lv.volume > 0 for lv in book)


def test_remembered_quotes_match_fresh_lookups() -> None:
    """``quote`` remembers the latest answer until the next tick; in any order of times,
    a market that remembers answers exactly as a fresh one that cannot."""
    clock_now = [NOW_UTC_MS]
    md = market(now=clock_now)
    start = md.now_ms() - 3 * HOUR_MS
    ticks = md.ticks("EURUSD", start, md.now_ms())
    times = ticks["time_msc"]
    rng = np.random.default_rng(3)
    probes = [int(t) + d for t in rng.choice(times, 60) for d in (-1, 0, 1)]
    probes += [int(t) for t in rng.integers(start, md.now_ms(), 60)]
    probes += sorted(probes[:60])  # runs of increasing times, as a trading session asks
    for at in probes:
        got = md.quote("EURUSD", at)
        assert got == market(now=clock_now).quote("EURUSD", at), at
        assert got is not None and got[2] <= at
        later = times[times > got[2]]
        assert len(later) == 0 or later[0] > at  # no tick between the quote and ``at``
