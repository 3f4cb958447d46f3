"""Stateless conversions of push 8 ticks (spec 3.5.1, 4.6): struct row codecs and
``official_ticks``.

The wire ``TICK_DTYPE`` and the official ``TICKS_DTYPE`` are packed little-endian records of
numbers, so ``struct`` reads and writes them byte for byte: ``iter_unpack`` gives the same
tuples as ``tolist()`` and ``pack`` the same bytes as ``np.array(rows, TICKS_DTYPE)``, several
times faster on the few rows of a push.

``official_ticks`` reuses per-thread scratch buffers (``_Workspace``) but keeps no state
between calls that could change a result: every call gives fresh, writable arrays.
"""

from __future__ import annotations

import struct
import threading
from typing import Any, NamedTuple

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
_WIRE_DTYPE = bulk.TICK_DTYPE
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

    A lean version of ``bulk.ticks_to_official`` for the small arrays of live pushes, the
    same bytes. ``scale`` is 10^digits, scalar or one per tick. At ~100 rows the cost is the
    count of numpy calls, and a ufunc reading or writing the packed, unaligned fields of the
    50-byte wire or 60-byte official record takes numpy's buffered path, several times
    slower; so the rows are copied once into an aligned staging buffer, every result is
    computed into an aligned 64-byte-per-row buffer laid out as ``TICKS_DTYPE``, and one copy
    of its first 60 bytes per row gives the result. The views on both buffers are built once
    per thread and row count (``_Workspace``).
    """
    if rows.dtype != _WIRE_DTYPE or not rows.flags.c_contiguous:
        rows = np.ascontiguousarray(rows, dtype=_WIRE_DTYPE)
    n = len(rows)
    if n == 0:
        return np.zeros(0, TICKS_DTYPE)
    try:
        work: _Workspace = _LOCAL.work
    except AttributeError:
        work = _LOCAL.work = _Workspace()
    source = np.frombuffer(rows, _V50)
    if n <= _CAPACITY:
        return np.frombuffer(work.convert(source, scale), TICKS_DTYPE)
    per_tick = isinstance(scale, np.ndarray) and scale.ndim > 0
    parts = [work.convert(source[lo : lo + _CAPACITY],
                          scale[..., lo : lo + _CAPACITY] if per_tick else scale)  # type: ignore[index]
             for lo in range(0, n, _CAPACITY)]  # fmt: skip
    return np.frombuffer(np.concatenate(parts), TICKS_DTYPE)


#: Rows per conversion pass of ``official_ticks`` (pushes of 1000 ticks in one pass).
_CAPACITY = 1024
#: Staging row: the 50 wire bytes at offset 4 of a 56-byte slot, so that the float64 and
#: int64 fields (wire offsets 12-43) and the 32-bit ones are naturally aligned.
_STAGE_ROW, _STAGE_AT = 56, 4
#: Result row: ``TICKS_DTYPE`` (60 bytes) in a 64-byte slot; only ``volume_real`` (at 52)
#: stays unaligned, and it is written only for feeds that send volumes.
_RESULT_ROW = 64
_V50 = np.dtype("V50")
_V60 = np.dtype("V60")
_I4, _U4, _U8, _F8 = (np.dtype(code) for code in ("<i4", "<u4", "<u8", "<f8"))
_WIRE = {name: bulk.TICK_DTYPE.fields[name][1] + _STAGE_AT  # type: ignore[index]
         for name in ("time", "fields", "bid", "volume", "time_ms")}  # fmt: skip
_OUT = {name: TICKS_DTYPE.fields[name][1]  # type: ignore[index]
        for name in ("time", "bid", "volume", "time_msc", "flags", "volume_real")}  # fmt: skip
_LOCAL = threading.local()


class _Views(NamedTuple):
    """The views ``_Workspace.convert`` works on, for one row count."""

    stage: Array  # V50 wire rows
    time: Array  # wire i4 seconds
    fields: Array  # wire u4 field bits
    prices: Array  # wire (3, n) bid, ask, last
    volume: Array  # wire i8 volume
    time_ms: Array  # wire u4 milliseconds
    scratch: Array  # contiguous (3, n) float64
    out_time: Array  # i8
    out_msc: Array  # i8
    out_flags: Array  # u4
    out_prices: Array  # (3, n) bid, ask, last
    out_volume: Array  # u8
    out_real: Array  # f8, unaligned
    result: Array  # V60 result rows


class _Workspace:
    """One thread's staging and result buffers for ``official_ticks``, and their views."""

    __slots__ = ("_result", "_scratch", "_stage", "_views")

    def __init__(self) -> None:
        self._stage = np.zeros(_CAPACITY * _STAGE_ROW, np.uint8)
        # zeros: the volume slots stay 0 between calls (restored after a call that used them)
        self._result = np.zeros(_CAPACITY * _RESULT_ROW, np.uint8)
        self._scratch = np.zeros(3 * _CAPACITY, np.float64)
        self._views: dict[int, _Views] = {}

    def _make_views(self, n: int) -> _Views:
        if len(self._views) >= 256:  # bounded: push sizes vary
            self._views.clear()
        st, res = self._stage, self._result

        def wire(dtype: np.dtype[Any], name: str) -> Array:
            return np.ndarray((n,), dtype, st, _WIRE[name], (_STAGE_ROW,))

        def out(dtype: np.dtype[Any], name: str) -> Array:
            return np.ndarray((n,), dtype, res, _OUT[name], (_RESULT_ROW,))

        views = _Views(
            np.ndarray((n,), _V50, st, _STAGE_AT, (_STAGE_ROW,)),
            wire(_I4, "time"),
            wire(_U4, "fields"),
            np.ndarray((3, n), _F8, st, _WIRE["bid"], (8, _STAGE_ROW)),
            wire(_I8, "volume"),
            wire(_U4, "time_ms"),
            np.ndarray((3, n), _F8, self._scratch),
            out(_I8, "time"),
            out(_I8, "time_msc"),
            out(_U4, "flags"),
            np.ndarray((3, n), _F8, res, _OUT["bid"], (8, _RESULT_ROW)),
            out(_U8, "volume"),
            out(_F8, "volume_real"),
            np.ndarray((n,), _V60, res, 0, (_RESULT_ROW,)),
        )
        self._views[n] = views
        return views

    def convert(self, source: Array, scale: Array | float) -> Array:
        """Up to ``_CAPACITY`` wire rows (``V50`` items) -> a fresh ``V60`` array holding
        their ``TICKS_DTYPE`` bytes (``np.frombuffer`` of it is writable)."""
        (stage, time, fields, prices, volume, time_ms, scratch, out_time, out_msc, out_flags,
         out_prices, out_volume, out_real, result) = (
            self._views.get(len(source)) or self._make_views(len(source)))  # fmt: skip
        np.copyto(stage, source)
        np.copyto(out_time, time)
        np.multiply(out_time, _THOUSAND, out_msc)
        np.add(out_msc, time_ms, out_msc)
        np.bitwise_and(fields, _FIELDS_MASK, out_flags)
        np.left_shift(out_flags, _ONE, out_flags)
        # spec 3.5.1: bid, ask, last are 24 adjacent bytes on the wire and in TICKS_DTYPE; as a
        # (3, n) block a per-tick scale divides whole rows. Strided (3, n) operands are walked
        # row by row (order C), not in memory order (3 elements per inner loop).
        np.copyto(scratch, prices)
        np.rint(scratch, scratch)
        np.divide(scratch, scale, out_prices, order="C")
        if not np.count_nonzero(volume):  # FX feeds send none: 0 lots, 0.0 real volume
            return result.copy()
        try:
            np.divide(volume, _LOT_F, out_real)
            lots = np.maximum(volume, _ZERO)
            np.floor_divide(lots, _LOT, lots)
            np.copyto(out_volume, lots, casting="unsafe")
            return result.copy()
        finally:
            out_volume.fill(0)
            out_real.fill(0.0)


def wire_rows(rows: Array) -> list[tuple[Any, ...]]:
    """The wire ticks as tuples (``rows.tolist()``, via ``struct`` when the layout allows)."""
    if rows.dtype == bulk.TICK_DTYPE and rows.flags.c_contiguous:
        return list(WIRE_ROW.iter_unpack(rows.data))
    return rows.tolist()  # type: ignore[no-any-return]
