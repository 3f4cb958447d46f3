"""The fast push-8 paths (issue 8, P3) equal their plain definitions, field by field.

* ``apply_ticks_scalar`` (grouped visit, struct decoding and packing) against the per-tick
  rules of spec 3.5.1 written out plainly in ``tick_rules.py`` (the loop the client used
  before), and against the independent vectorised path;
* ``official_ticks`` (aligned temporaries, zeroed volumes) against the chunked
  ``bulk.ticks_to_official``;
* ``TickRing.extend`` (byte-block copies) against a plain list of the newest rows.

Random inputs from hypothesis cover every rule: unset field bits, zero prices, fractional
and negative wire prices, volumes of any sign, out-of-order ticks, unknown symbols, state
carried across pushes, empty and one-tick pushes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5.client._ticks import apply_ticks_scalar, apply_ticks_vectorised, official_ticks
from MetaTrader5.client.tickstore import TickRing, TickStore
from MetaTrader5.protocol import bulk
from MetaTrader5.records import TICKS_DTYPE

from .tick_rules import SymbolState, per_tick_rules, tick_rows

_DIGITS = {1: 5, 2: 3, 3: 0, 4: 2}
_UNKNOWN = 99


def _states() -> dict[int, SymbolState]:
    return {k: SymbolState(f"S{k}", d) for k, d in _DIGITS.items()}


_price = st.one_of(
    st.just(0.0),
    st.integers(1, 2_000_000).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def _pushes(draw: st.DrawFn) -> list[Any]:
    """A few pushes of the same session: times mostly rising, some late ticks."""
    pushes = []
    t0 = draw(st.integers(1_600_000_000_000, 2_100_000_000_000))
    for _ in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, 40))
        wire = np.zeros(n, bulk.TICK_DTYPE)
        sids = draw(st.lists(st.sampled_from([1, 2, 3, 4, _UNKNOWN]), min_size=n, max_size=n))
        steps = draw(st.lists(st.integers(-400, 900), min_size=n, max_size=n))
        msc = t0 + np.cumsum(np.array(steps, dtype=np.int64))
        t0 = int(msc[-1]) + 1 if n else t0
        wire["symbol_id"] = sids
        wire["time"], wire["time_ms"] = msc // 1000, msc % 1000
        wire["fields"] = draw(st.lists(st.integers(0, 2**32 - 1), min_size=n, max_size=n))
        for name in ("bid", "ask", "last"):
            wire[name] = draw(st.lists(_price, min_size=n, max_size=n))
        wire["volume"] = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n))
        pushes.append(wire)
    return pushes


@settings(max_examples=100, deadline=None)
@given(_pushes())
def test_scalar_path_equals_the_plain_rules(pushes: list[Any]) -> None:
    ours, theirs, vectorised = _states(), _states(), _states()
    for wire in pushes:
        expected, symbols = per_tick_rules(wire, theirs)
        got = apply_ticks_scalar(wire, ours.get)
        other = apply_ticks_vectorised(wire, vectorised.get)
        assert got.received == len(wire) and got.accepted == len(expected)
        assert [(n, tuple(r)) for n, r in got.in_arrival_order()] == expected
        assert [(got.names[i], tuple(got.grouped[i].tolist())) for i in got.arrival] == expected
        # Symbols in the order of their first accepted tick, each slice in arrival order.
        assert [name for name, _, _ in got.slices] == symbols
        for name, lo, hi in got.slices:
            assert got.names[lo:hi] == [name] * (hi - lo)
            assert [tuple(r) for r in got.grouped[lo:hi].tolist()] == [
                row for n, row in expected if n == name
            ]
        assert got.rows is not None
        assert got.grouped.tobytes() == np.array(got.rows, TICKS_DTYPE).tobytes()
        assert got.grouped.dtype == TICKS_DTYPE and got.grouped.flags.writeable
        for key in _DIGITS:
            assert vars(ours[key]) == vars(theirs[key]) == vars(vectorised[key])
        # The vectorised path orders symbols by id; the ticks themselves are the same.
        assert [(n, tuple(r)) for n, r in other.in_arrival_order()] == expected


def test_scalar_path_on_a_strided_array_of_another_byte_order() -> None:
    wire = np.zeros(6, bulk.TICK_DTYPE)
    wire["symbol_id"] = [2, 1, 2, 1, 2, 1]
    wire["time"], wire["time_ms"] = 1_700_000_000, [0, 1, 2, 3, 4, 5]
    wire["fields"], wire["bid"], wire["ask"] = 3, 123_456.0, [1, 2, 3, 4, 5, 6]
    swapped = wire.astype(wire.dtype.newbyteorder(">"))[::2]
    expected, _ = per_tick_rules(wire[::2], _states())
    got = apply_ticks_scalar(swapped, _states().get)
    assert [(n, tuple(r)) for n, r in got.in_arrival_order()] == expected


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 300),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.booleans(),
    st.sampled_from([1, 2, 3]),
)
def test_official_ticks_equals_the_bulk_conversion(
    n: int, seed: int, per_tick_scale: bool, volumes: bool, stride: int
) -> None:
    rng = np.random.default_rng(seed)
    wire = np.zeros(n * stride, bulk.TICK_DTYPE)
    wire["symbol_id"] = rng.integers(0, 2**32, n * stride, dtype=np.uint32)
    wire["time"] = rng.integers(-(2**31), 2**31, n * stride, dtype=np.int32)
    wire["time_ms"] = rng.integers(0, 2**32, n * stride, dtype=np.uint32)
    wire["fields"] = rng.integers(0, 2**32, n * stride, dtype=np.uint32)
    for name in ("bid", "ask", "last"):
        wire[name] = rng.integers(0, 10**9, n * stride) * (rng.random(n * stride) > 0.2) + (
            rng.normal(0, 1e5, n * stride) * (rng.random(n * stride) < 0.2)
        )
    if volumes:
        wire["volume"] = rng.integers(-(2**63), 2**63, n * stride, dtype=np.int64)
    rows = wire[::stride]  # stride > 1: not contiguous
    digits = rng.integers(0, 9, n) if per_tick_scale else int(rng.integers(0, 9))
    scale = 10.0 ** np.asarray(digits, dtype=np.float64)
    got = official_ticks(rows, scale if per_tick_scale else float(scale))
    assert got.dtype == TICKS_DTYPE and got.flags.writeable
    assert got.tobytes() == bulk.ticks_to_official(rows, digits).tobytes()


def _ticks(lo: int, hi: int) -> Any:
    return tick_rows(lo, hi, flags=True)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 70), st.lists(st.integers(0, 150), max_size=30), st.booleans())
def test_ring_extend_keeps_the_newest_rows(max_ticks: int, sizes: list[int], strided: bool) -> None:
    ring = TickRing(max_ticks)
    model: list[tuple[Any, ...]] = []
    at = 0
    for size in sizes:
        chunk = _ticks(at, at + size * (2 if strided else 1))
        if strided:
            chunk = chunk[::2]  # a view with gaps: copied as rows, never as raw bytes
        at += size * (2 if strided else 1)
        ring.extend(chunk)
        model = (model + [tuple(r) for r in chunk.tolist()])[-max_ticks:]
        assert [tuple(r) for r in ring.array().tolist()] == model
        assert len(ring) == len(model)
        if model:
            assert ring.since_msc is not None and ring.since_msc <= model[0][5]
            last = ring.last()
            assert last is not None and tuple(last.tolist()[0]) == model[-1]


def test_store_extend_takes_any_tick_like_array() -> None:
    store = TickStore(max_ticks=8, max_symbols=4)
    swapped = _ticks(0, 5).astype(TICKS_DTYPE.newbyteorder(">"))
    store.extend("A", swapped)
    assert store.ticks("A").tobytes() == _ticks(0, 5).tobytes()
    readonly = _ticks(5, 9)
    readonly.flags.writeable = False
    store.extend("A", readonly)
    assert list(store.ticks("A")["time_msc"]) == list(range(1, 9))
    assert store.since_msc("A") == 1
