"""Stateless conversions of push 8 ticks (spec 3.5.1, 4.6): struct row codecs and
``official_ticks``.

The wire ``TICK_DTYPE`` and the official ``TICKS_DTYPE`` are packed little-endian records of
numbers, so ``struct`` reads and writes them byte for byte: ``iter_unpack`` gives the same
tuples as ``tolist()`` and ``pack`` the same bytes as ``np.array(rows, TICKS_DTYPE)``, several
times faster on the few rows of a push.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import numpy.typing as npt

from MetaTrader5.protocol import bulk
from MetaTrader5.records import TICKS_DTYPE

__all__ = [
    "OUT_PRICES",
    "OUT_ROW",
    "WIRE_PRICES",
    "WIRE_ROW",
    "official_ticks",
    "price_block",
    "wire_rows",
]

Array = npt.NDArray[Any]

#: Byte offsets of the bid, ask, last block on the wire and in TICKS_DTYPE.
WIRE_PRICES: int = bulk.TICK_DTYPE.fields["bid"][1]  # type: ignore[index]
OUT_PRICES: int = TICKS_DTYPE.fields["bid"][1]  # type: ignore[index]
_I8 = np.dtype(np.int64)
#: ufunc operands as ready 0-d arrays: a Python scalar costs a conversion on every call.
_THOUSAND = np.array(1000, np.int64)
_FIELDS_MASK = np.array(0x0F, np.uint32)
_ONE = np.array(1, np.uint32)
_ZERO = np.array(0, np.int64)
_LOT = np.array(100_000_000, np.int64)
_LOT_F = np.array(1e8)


def _struct_of(dtype: np.dtype[Any]) -> struct.Struct:
    """The ``struct`` format of a packed little-endian record dtype (same bytes, same order)."""
    codes = {"u2": "H", "u4": "I", "i4": "i", "i8": "q", "u8": "Q", "f8": "d"}
    fmt, at = "<", 0
    for name in dtype.names or ():
        field, offset = dtype.fields[name][:2]  # type: ignore[index]
        if offset != at or field.str[0] != "<" or field.str[1:] not in codes:
            raise TypeError(f"{dtype} is not a packed little-endian record of numbers")
        fmt += codes[field.str[1:]]
        at += field.itemsize
    if at != dtype.itemsize:
        raise TypeError(f"{dtype} has padding")
    return struct.Struct(fmt)


#: Wire ticks -> Python tuples (as ``tolist()``, several times faster) and back to
#: ``TICKS_DTYPE`` bytes (as ``np.array(rows, TICKS_DTYPE)``, likewise).
WIRE_ROW = _struct_of(bulk.TICK_DTYPE)
OUT_ROW = _struct_of(TICKS_DTYPE)


def price_block(rows: Array, offset: int) -> Array:
    """The bid, ask, last columns of a contiguous tick array as one (n, 3) float64 view."""
    return np.ndarray((len(rows), 3), np.float64, rows, offset, (rows.itemsize, 8))


def official_ticks(rows: Array, scale: Array | float) -> Array:
    """Wire ticks -> ``TICKS_DTYPE`` (stateless, prices as sent; spec 3.5.1, 4.6).

    A lean version of ``bulk.ticks_to_official`` for the small arrays of live pushes: no
    chunking, and the arithmetic runs on aligned temporaries (a ufunc writing straight into
    a packed 60-byte record takes numpy's buffered path, several times slower at this size);
    each result is then copied into its field. ``scale`` is 10^digits, scalar or one per tick.
    """
    if rows.dtype != bulk.TICK_DTYPE or not rows.flags.c_contiguous:
        rows = np.ascontiguousarray(rows, dtype=bulk.TICK_DTYPE)
    n = len(rows)
    # zeros, not empty: the volume columns are then already right for volume-less feeds.
    out = np.zeros(n, TICKS_DTYPE)
    if n == 0:
        return out
    time = rows["time"].astype(_I8)
    out["time"] = time
    np.multiply(time, _THOUSAND, time)
    np.add(time, rows["time_ms"], time)
    out["time_msc"] = time
    flags = np.bitwise_and(rows["fields"], _FIELDS_MASK)
    np.left_shift(flags, _ONE, flags)
    out["flags"] = flags
    # spec 3.5.1: bid, ask, last are 24 adjacent bytes on the wire and in TICKS_DTYPE; as a
    # (3, n) block a per-tick scale divides whole rows.
    prices = price_block(rows, WIRE_PRICES).T.copy()
    np.rint(prices, prices)
    np.divide(prices, scale, prices)
    price_block(out, OUT_PRICES)[...] = prices.T
    volume = rows["volume"]
    if np.count_nonzero(volume):  # FX feeds send none: 0 lots, 0.0 real volume as zeroed
        out["volume_real"] = np.divide(volume, _LOT_F)
        lots = np.maximum(volume, _ZERO)
        np.floor_divide(lots, _LOT, lots)
        out["volume"] = lots
    return out


def wire_rows(rows: Array) -> list[tuple[Any, ...]]:
    """The wire ticks as tuples (``rows.tolist()``, via ``struct`` when the layout allows)."""
    if rows.dtype == bulk.TICK_DTYPE and rows.flags.c_contiguous:
        return list(WIRE_ROW.iter_unpack(rows.data))
    return rows.tolist()  # type: ignore[no-any-return]
