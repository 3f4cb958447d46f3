"""The sliced (cache-sized) conversions of bars and ticks and the numpy-buffer decrypt give the
same bytes as a straightforward whole-column conversion (spec 3.5.1, 3.5.3, 4.1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5.protocol import bulk, crypto, extension
from MetaTrader5.protocol.exceptions import DecryptionError
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE

Array = npt.NDArray[Any]

# --- straightforward references: one whole-column numpy expression per official field -------


def reference_rates(bars: Array) -> Array:
    out = np.zeros(len(bars), RATES_DTYPE)
    for name in ("time", "open", "high", "low", "close", "tick_volume"):
        out[name] = bars[name]
    real = np.array(bars["real_volume"], dtype=np.float64)
    real[~np.isfinite(real)] = 0.0
    out["real_volume"] = np.rint(np.minimum(np.maximum(real, 0.0), 1.8e19)).astype(np.uint64)
    return out


def reference_ticks(ticks: Array, digits: int | Array) -> Array:
    scale = 10.0 ** np.asarray(digits, dtype=np.float64)
    out = np.zeros(len(ticks), TICKS_DTYPE)
    out["time"] = ticks["time"]
    for name in ("bid", "ask", "last"):
        out[name] = np.rint(ticks[name]) / scale
    volume = ticks["volume"].astype(np.int64)
    out["volume"] = np.where(volume > 0, volume, 0) // 10**8
    out["volume_real"] = volume / 1e8
    out["time_msc"] = ticks["time"].astype(np.int64) * 1000 + ticks["time_ms"].astype(np.int64)
    out["flags"] = (ticks["fields"].astype(np.uint32) % 16) * 2
    return out


def reference_ext(ticks: Array) -> Array:
    out = np.zeros(len(ticks), TICKS_DTYPE)
    out["time"] = ticks["time_msc"] // 1000
    for name in ("bid", "ask", "last", "time_msc", "flags", "volume_real"):
        out[name] = ticks[name]
    out["volume"] = np.where(ticks["volume"] > 0, ticks["volume"], 0) // 10**8
    return out


def same(a: Array, b: Array) -> None:
    assert a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()


# --- strategies: extreme values, NaN/inf, the 0 = "unchanged" price ---------------------------

I32 = st.integers(-(2**31), 2**31 - 1)
U32 = st.integers(0, 2**32 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)
EDGE_FLOATS = st.sampled_from(
    [
        0.0,
        -0.0,
        0.5,
        1.5,
        2.5,
        -2.5,
        1e-300,
        5e-324,
        1.8e19,
        1.9e19,
        1e308,
        -1e308,
        float("inf"),
        float("-inf"),
        float("nan"),
    ]
)
FLOATS = st.one_of(EDGE_FLOATS, st.floats(allow_nan=True, allow_infinity=True))
PRICES = st.one_of(st.just(0.0), st.floats(-1e12, 1e12), FLOATS)
VOLUMES = st.one_of(st.sampled_from([0, 1, -1, 10**8 - 1, 10**8, -(10**8)]), I64)


def build(dtype: np.dtype[Any], rows: list[tuple[Any, ...]]) -> Array:
    return np.array(rows, dtype=dtype)


bar_rows = st.lists(st.tuples(I32, FLOATS, FLOATS, FLOATS, FLOATS, U32, FLOATS), max_size=40)
tick_rows = st.lists(
    st.tuples(
        U32,
        I32,
        U32,
        PRICES,
        PRICES,
        PRICES,
        VOLUMES,
        st.integers(0, 999),
        st.integers(0, 2**16 - 1),
    ),
    max_size=40,
)
ext_rows = st.lists(
    st.tuples(st.integers(-(2**62), 2**62), PRICES, PRICES, PRICES, VOLUMES, FLOATS, U32),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(bar_rows, st.booleans())
def test_bars_match_reference(rows: list[tuple[Any, ...]], small: bool) -> None:
    bars = build(bulk.BAR_DTYPE, rows)
    with pytest.MonkeyPatch.context() as mp:
        if small:
            mp.setattr(bulk, "_CHUNK", 3)
        same(bulk.bars_to_rates(bars), reference_rates(bars))


@settings(max_examples=150, deadline=None)
@given(tick_rows, st.integers(0, 15), st.booleans(), st.booleans())
def test_ticks_match_reference(
    rows: list[tuple[Any, ...]], digits: int, per_tick: bool, small: bool
) -> None:
    ticks = build(bulk.TICK_DTYPE, rows)
    scale: int | Array = np.arange(len(ticks)) % 16 if per_tick else digits
    with pytest.MonkeyPatch.context() as mp:
        if small:
            mp.setattr(bulk, "_CHUNK", 3)
        same(bulk.ticks_to_official(ticks, scale), reference_ticks(ticks, scale))


@settings(max_examples=150, deadline=None)
@given(ext_rows, st.booleans())
def test_ext_ticks_match_reference(rows: list[tuple[Any, ...]], small: bool) -> None:
    ticks = build(extension.EXT_TICK_DTYPE, rows)
    with pytest.MonkeyPatch.context() as mp:
        if small:
            mp.setattr(extension, "_CHUNK", 3)
        same(extension.ext_ticks_to_official(ticks), reference_ext(ticks))


def test_zero_prices_stay_zero_and_known_values() -> None:
    # spec 3.5.1: 0 = unchanged stays 0; 87154.5 is rounded half to even before scaling
    ticks = build(
        bulk.TICK_DTYPE,
        [
            (1, 100, 3, 87154.5, 0.0, 0.0, 250_000_000, 7, 0),
            (1, 101, 1, 0.0, 87157.0, 0.0, -5, 999, 0),
        ],
    )
    out = bulk.ticks_to_official(ticks, 5)
    assert out["bid"].tolist() == [0.87154, 0.0]
    assert out["ask"].tolist() == [0.0, 0.87157]
    assert out["last"].tolist() == [0.0, 0.0]
    assert out["volume"].tolist() == [2, 0]
    assert out["volume_real"].tolist() == [2.5, -5e-08]
    assert out["time_msc"].tolist() == [100_007, 101_999]
    assert out["flags"].tolist() == [6, 2]


def test_bars_real_volume_edges() -> None:
    values = [float("nan"), float("inf"), float("-inf"), -3.0, 2.5, 3.5, 1e30, 7.0]
    bars = build(bulk.BAR_DTYPE, [(i, 1.0, 2.0, 0.5, 1.5, i, v) for i, v in enumerate(values)])
    rates = bulk.bars_to_rates(bars)
    assert rates["real_volume"].tolist() == [0, 0, 0, 0, 2, 4, 18_000_000_000_000_000_000, 7]
    assert rates["spread"].tolist() == [0] * len(values)


@pytest.mark.parametrize("extra", [0, 1, 5])
def test_many_slices_from_random_bytes(extra: int) -> None:
    # real slice size, arrays of 2 slices + a partial one, every bit pattern possible
    rng = np.random.default_rng(extra)
    n = 2 * bulk._CHUNK + extra
    bars = bulk.decode_bars(rng.integers(0, 256, n * 48, dtype=np.uint8).tobytes())
    ticks = bulk.decode_ticks(rng.integers(0, 256, n * 50, dtype=np.uint8).tobytes())
    ext = extension.decode_tick_history(
        np.uint32(n).tobytes() + rng.integers(0, 256, n * 52, dtype=np.uint8).tobytes()
    )
    digits = rng.integers(0, 10, n)
    with np.errstate(all="ignore"):
        same(bulk.bars_to_rates(bars), reference_rates(bars))
        same(bulk.ticks_to_official(ticks, digits), reference_ticks(ticks, digits))
        same(bulk.ticks_to_official(ticks, 3), reference_ticks(ticks, 3))
    same(extension.ext_ticks_to_official(ext), reference_ext(ext))


def test_other_layouts_and_strided_views_convert_alike() -> None:
    rng = np.random.default_rng(7)
    ticks = np.zeros(50, bulk.TICK_DTYPE)
    ticks["time"] = rng.integers(0, 2**31, 50)
    ticks["bid"] = rng.integers(0, 10**6, 50)
    ticks["volume"] = rng.integers(-(10**10), 10**10, 50)
    aligned = np.zeros(50, np.dtype(bulk.TICK_DTYPE.descr, align=True))
    for name in bulk.TICK_DTYPE.names or ():
        aligned[name] = ticks[name]
    same(bulk.ticks_to_official(aligned, 5), bulk.ticks_to_official(ticks, 5))
    same(bulk.ticks_to_official(ticks[::3], 5), reference_ticks(ticks[::3], 5))
    bars = np.zeros(50, bulk.BAR_DTYPE)
    bars["open"] = rng.random(50)
    bars["real_volume"] = rng.random(50) * 100
    same(bulk.bars_to_rates(bars[::-2]), reference_rates(bars[::-2]))
    with pytest.raises(ValueError):
        bulk.ticks_to_official(ticks, np.arange(3))


@pytest.mark.parametrize("size", [0, 1, 65_519, 65_520, 65_536, 300_001])
def test_decrypt_large_and_small(size: int) -> None:
    key = bytes(range(32))
    plain = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    cipher = crypto.encrypt(key, plain)
    view = crypto.decrypt(key, cipher)
    assert view.readonly
    assert view.tobytes() == plain
    assert np.frombuffer(view, np.uint8).tobytes() == plain


def test_decrypt_large_wrong_key_or_padding_rejected() -> None:
    key = bytes(range(16))
    cipher = crypto.encrypt(key, bytes(200_000))
    with pytest.raises(DecryptionError):
        crypto.decrypt(bytes(16), cipher)
    tampered = bytearray(cipher)
    tampered[-1] ^= 0xFF
    with pytest.raises(DecryptionError):
        crypto.decrypt(key, bytes(tampered))
