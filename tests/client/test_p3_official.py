"""``official_ticks`` keeps per-thread staging buffers and views (issue 8, P3): whatever
came before, each call gives the bytes of the plain ``bulk.ticks_to_official``.

Covers what one-call-at-a-time comparisons cannot: sequences of calls of varying sizes
(cached views per row count), a call with volumes followed by volume-less ones (the volume
slots are restored to zero), pushes longer than one pass, results that must not alias the
reused buffers, and threads converting at the same time.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5.client._tick_convert import official_ticks
from MetaTrader5.protocol import bulk


def _wire(n: int, seed: int, volumes: bool) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    wire = np.zeros(n, bulk.TICK_DTYPE)
    wire["symbol_id"] = rng.integers(0, 2**32, n, dtype=np.uint32)
    wire["time"] = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
    wire["time_ms"] = rng.integers(0, 2**32, n, dtype=np.uint32)
    wire["fields"] = rng.integers(0, 2**32, n, dtype=np.uint32)
    wire["flags"] = rng.integers(0, 2**16, n, dtype=np.uint16)
    for name in ("bid", "ask", "last"):
        wire[name] = rng.integers(0, 10**9, n) + rng.normal(0, 1e3, n) * (rng.random(n) < 0.3)
    if volumes:
        wire["volume"] = rng.integers(-(2**63), 2**63, n, dtype=np.int64)
    return wire, rng.integers(0, 9, n)


def _check(n: int, seed: int, volumes: bool, per_tick: bool) -> Any:
    wire, digits = _wire(n, seed, volumes)
    scale = 10.0 ** digits.astype(np.float64)
    got = official_ticks(wire, scale if per_tick else float(scale[0]) if n else 1.0)
    want = bulk.ticks_to_official(wire, digits if per_tick else int(digits[0]) if n else 0)
    assert got.tobytes() == want.tobytes()
    assert got.flags.writeable and got.flags.c_contiguous
    return got, want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 140), st.booleans(), st.booleans()),
                min_size=1, max_size=8),
       st.integers(0, 2**32 - 1))  # fmt: skip
def test_any_sequence_of_calls_equals_the_bulk_conversion(
    calls: list[tuple[int, bool, bool]], seed: int
) -> None:
    kept = []
    for i, (n, volumes, per_tick) in enumerate(calls):
        kept.append(_check(n, seed + i, volumes, per_tick))
    # earlier results do not share memory with the buffers later calls reused
    for got, want in kept:
        assert got.tobytes() == want.tobytes()


def test_volume_less_call_after_a_call_with_volumes() -> None:
    _check(100, 1, True, True)
    got, _ = _check(100, 2, False, True)
    assert not got["volume"].any() and not got["volume_real"].any()
    _check(37, 3, True, False)
    _check(100, 4, False, False)


def test_pushes_longer_than_one_pass() -> None:
    for n in (1023, 1024, 1025, 2048, 3001):
        _check(n, n, n % 2 == 1, True)
        _check(n, n + 1, False, False)


def test_threads_convert_at_the_same_time() -> None:
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def work(seed: int) -> None:
        try:
            start.wait()
            for i in range(150):
                _check(20 + (seed * 7 + i) % 90, seed * 1000 + i, i % 3 == 0, i % 2 == 0)
        except BaseException as exc:  # handed to the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads between almost any two numpy calls
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[0]
