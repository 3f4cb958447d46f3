"""Bounded tick memory: ring per symbol, LRU eviction across 1,000 symbols, clear."""

from __future__ import annotations

import numpy as np

from MetaTrader5.client.tickstore import TickRing, TickStore
from MetaTrader5.records import TICKS_DTYPE


def _row(msc: int, bid: float = 1.0) -> tuple[int, float, float, float, int, int, int, float]:
    return (msc // 1000, bid, bid + 0.1, 0.0, 0, msc, 6, 0.0)


def test_ring_keeps_last_max_ticks_in_order() -> None:
    ring = TickRing(100)
    for i in range(250):
        ring.append(_row(1000 + i, bid=float(i)))
    arr = ring.array()
    assert arr.dtype == TICKS_DTYPE
    assert len(arr) == 100
    assert list(arr["bid"]) == [float(i) for i in range(150, 250)]
    assert ring.since_msc == 1150
    last = ring.last()
    assert last is not None and last["bid"][0] == 249.0


def test_ring_grows_lazily() -> None:
    ring = TickRing(100_000)
    ring.append(_row(1))
    assert ring.nbytes < 100 * TICKS_DTYPE.itemsize


def test_one_thousand_symbols_bounded_memory_and_lru_eviction() -> None:
    store = TickStore(max_ticks=50, max_symbols=200)
    for round_ in range(3):
        for s in range(1000):
            for k in range(20):
                store.append(f"S{s}", _row(round_ * 100_000 + s * 10 + k))
    assert len(store) == 200
    assert store.evicted == 1000 * 3 - 200
    # The 200 most recently updated symbols survive.
    assert store.symbols() == [f"S{s}" for s in range(800, 1000)]
    # Each was evicted in the previous round and re-created: 20 ticks of this round only.
    assert all(len(store.ticks(f"S{s}")) == 20 for s in range(800, 1000))
    assert store.nbytes <= 200 * 64 * TICKS_DTYPE.itemsize
    store.append("S800", _row(10**9))
    assert store.symbols()[-1] == "S800"


def test_range_from_time_and_clear() -> None:
    store = TickStore(max_ticks=10, max_symbols=4)
    for i in range(10):
        store.append("EURUSD", _row(1000 * i))
    assert list(store.range("EURUSD", 2000, 4000)["time_msc"]) == [2000, 3000, 4000]
    assert list(store.from_time("EURUSD", 7000, 2)["time_msc"]) == [7000, 8000]
    assert store.since_msc("EURUSD") == 0
    assert store.since_msc("GBPUSD") is None
    assert len(store.ticks("GBPUSD")) == 0
    store.clear("EURUSD")
    assert "EURUSD" not in store
    store.append("A", _row(1))
    store.append("B", _row(1))
    store.clear()
    assert len(store) == 0
    assert np.array_equal(store.ticks("A"), np.zeros(0, dtype=TICKS_DTYPE))
