"""The encoded-history cache serves exactly what the market generates (cmd 11 and 30002)."""

from __future__ import annotations

import numpy as np
import pytest

from MetaTrader5 import constants as c
from MetaTrader5.protocol import bulk
from MetaTrader5.server._wirecache import WireCache, encode_tick_parts, ext_ticks
from MetaTrader5.server.catalog import default_catalog
from MetaTrader5.server.clock import ServerClock, ServerTimezone
from MetaTrader5.server.feed import MarketData
from MetaTrader5.server.history import DAY

#: 2026-07-15 13:27:41.250 UTC: mid-hour, mid-day (so "today" and "this hour" are partial).
NOW_UTC_MS = 1_784_122_061_250


@pytest.fixture(scope="module")
def market() -> MarketData:
    clock = ServerClock(ServerTimezone(2, True), lambda: NOW_UTC_MS)
    return MarketData(default_catalog(), seed=3, clock=clock)


@pytest.mark.parametrize("timeframe", [c.TIMEFRAME_M1, c.TIMEFRAME_M5, c.TIMEFRAME_H1,
                                       c.TIMEFRAME_H4, c.TIMEFRAME_D1, c.TIMEFRAME_W1])
def test_bars_equal_the_market_cold_and_warm(market: MarketData, timeframe: int) -> None:
    spec = market.catalog.by_name("EURUSD")
    assert spec is not None
    cache = WireCache(market)
    now_s = market.now_ms() // 1000
    start, end = now_s - 5 * DAY - 1234, now_s + 3600  # partial first day, today, the future
    expected = bulk.encode_bars(market.bars("EURUSD", timeframe, start, end))
    assert cache.bars(spec, timeframe, start, end, 10**6) == expected
    assert cache.bars(spec, timeframe, start, end, 10**6) == expected  # from the cache
    cut = bulk.encode_bars(market.bars("EURUSD", timeframe, start, end)[:777])
    assert cache.bars(spec, timeframe, start, end, 777) == cut
    if 0 < timeframe < c.TIMEFRAME_D1:
        assert cache.hits > 0 and cache.size > 0


def test_ticks_equal_the_market_and_the_cache_stays_bounded(market: MarketData) -> None:
    spec = market.catalog.by_name("GBPUSD")
    assert spec is not None
    cache = WireCache(market, max_bytes=2_000_000)
    now = market.now_ms()
    start = now - 30 * 3_600_000 + 17
    expected = ext_ticks(market.ticks("GBPUSD", start, now))
    for _ in range(2):
        parts = cache.ticks(spec, start, now + 10_000, 10**7)
        assert np.array_equal(np.concatenate(parts), expected)
        assert 0 < cache.size <= 2_000_000  # 30 hours do not fit: old hours were dropped
    body = encode_tick_parts(parts, c.TICK_FLAG_LAST)
    assert bytes(body) == bytes(4)  # forex ticks carry no last price
    assert cache.ticks(spec, now + 1, now + 5, 10) == []
