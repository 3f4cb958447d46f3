"""Bounded per-symbol tick history, in the official ``TICKS_DTYPE``.

The Web Terminal protocol has no tick-history command (spec 6.2), so on a broker the only
ticks the client can return are those the stream delivered since subscription. They are kept
here: one ring buffer per symbol (at most ``max_ticks`` rows, grown by doubling so idle symbols
cost little), at most ``max_symbols`` symbols, the least recently *updated* symbol evicted
first. Memory is therefore bounded by ``max_symbols * max_ticks * 60`` bytes.

Each symbol also remembers ``since_msc``: the time from which its history is complete (the
first tick stored, moved forward whenever the ring overwrites old rows). A query reaching
before that time cannot be answered from the stream, and callers say so rather than inventing.
"""

from __future__ import annotations

import struct
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import TICKS_DTYPE

__all__ = ["TickRing", "TickStore"]

_INITIAL_CAPACITY = 64
_ITEM = TICKS_DTYPE.itemsize
_TIME_MSC = struct.Struct("<q")
_TIME_MSC_AT = TICKS_DTYPE.fields["time_msc"][1]  # type: ignore[index]


def _as_ticks(rows: npt.NDArray[np.void]) -> npt.NDArray[np.void]:
    """``rows`` as a ``TICKS_DTYPE`` array (fields assigned by position, as a slice
    assignment into the ring would)."""
    out = np.empty(len(rows), TICKS_DTYPE)
    out[...] = rows
    return out


class TickRing:
    """A growable ring buffer of ticks for one symbol.

    Rows are written as bytes through ``_bytes`` (a byte view of ``_buf``): a structured
    slice assignment copies field by field, several times slower for the few rows of a push.
    """

    __slots__ = ("_buf", "_bytes", "_count", "_start", "max_ticks", "since_msc")

    def __init__(self, max_ticks: int) -> None:
        self.max_ticks = max_ticks
        self._set_buffer(np.zeros(min(_INITIAL_CAPACITY, max_ticks), dtype=TICKS_DTYPE))
        self._start = 0
        self._count = 0
        self.since_msc: int | None = None

    def _set_buffer(self, buf: npt.NDArray[np.void]) -> None:
        self._buf = buf
        self._bytes = buf.data.cast("B")

    def _time_msc(self, index: int) -> int:
        value: int = _TIME_MSC.unpack_from(self._bytes, index * _ITEM + _TIME_MSC_AT)[0]
        return value

    def __len__(self) -> int:
        return self._count

    def append(self, row: tuple[int, float, float, float, int, int, int, float]) -> None:
        """Add one tick (fields in TICKS_DTYPE order)."""
        cap = len(self._buf)
        if self._count == cap and cap < self.max_ticks:
            grown = np.zeros(min(cap * 2, self.max_ticks), dtype=TICKS_DTYPE)
            grown[:cap] = self.array()
            self._set_buffer(grown)
            self._start = 0
            cap = len(grown)
        if self._count < cap:
            self._buf[(self._start + self._count) % cap] = row
            self._count += 1
        else:
            self._buf[self._start] = row
            self._start = (self._start + 1) % cap
            # The overwritten row is gone: history is complete only from the oldest kept tick.
            self.since_msc = self._time_msc(self._start)
        if self.since_msc is None:
            self.since_msc = int(row[5])

    def extend(self, rows: npt.NDArray[np.void]) -> None:
        """Add ``rows`` (TICKS_DTYPE, oldest first) with at most two byte-block copies."""
        n = len(rows)
        if n == 0:
            return
        if rows.dtype is not TICKS_DTYPE and rows.dtype != TICKS_DTYPE:
            rows = _as_ticks(rows)
        max_ticks = self.max_ticks
        if n >= max_ticks:  # only the newest max_ticks survive anyway
            if len(self._buf) < max_ticks:
                self._set_buffer(np.empty(max_ticks, dtype=TICKS_DTYPE))
            self._bytes[:] = rows[n - max_ticks :].tobytes()
            self._start, self._count = 0, max_ticks
            self.since_msc = self._time_msc(0)
            return
        data = rows.tobytes()  # C order whatever the strides: the rows as stored
        cap = len(self._buf)
        count = self._count
        need = count + n
        if need > cap and cap < max_ticks:
            size = cap
            while size < need and size < max_ticks:
                size *= 2
            grown = np.zeros(min(size, max_ticks), dtype=TICKS_DTYPE)
            grown[:count] = self.array()
            self._set_buffer(grown)
            self._start = 0
            cap = len(grown)
        if self.since_msc is None:
            self.since_msc = _TIME_MSC.unpack_from(data, _TIME_MSC_AT)[0]
        # Write position of the first new row; rows wrap around the end at most once.
        start = self._start
        at = (start + count) % cap
        if at + n <= cap:
            self._bytes[at * _ITEM : (at + n) * _ITEM] = data
        else:
            head = (cap - at) * _ITEM
            view = memoryview(data)
            self._bytes[at * _ITEM :] = view[:head]
            self._bytes[: n * _ITEM - head] = view[head:]
        if need > cap:
            self._start = start = (start + need - cap) % cap
            self._count = cap
            # The overwritten rows are gone: history is complete only from the oldest kept.
            self.since_msc = self._time_msc(start)
        else:
            self._count = need

    def array(self) -> npt.NDArray[np.void]:
        """All stored ticks, oldest first (a copy)."""
        cap = len(self._buf)
        end = self._start + self._count
        if end <= cap:
            return self._buf[self._start : end].copy()
        return np.concatenate((self._buf[self._start :], self._buf[: end - cap]))

    def last(self) -> npt.NDArray[np.void] | None:
        """The newest tick as a one-row array, or None."""
        if not self._count:
            return None
        index = (self._start + self._count - 1) % len(self._buf)
        return self._buf[index : index + 1].copy()

    @property
    def nbytes(self) -> int:
        return int(self._buf.nbytes)


class TickStore:
    """Tick rings of many symbols with least-recently-updated eviction."""

    def __init__(self, max_ticks: int = 100_000, max_symbols: int = 512) -> None:
        if max_ticks < 1 or max_symbols < 1:
            raise ValueError("max_ticks and max_symbols must be >= 1")
        self.max_ticks = max_ticks
        self.max_symbols = max_symbols
        self._rings: OrderedDict[str, TickRing] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._rings)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._rings

    def symbols(self) -> list[str]:
        """Stored symbols, least recently updated first."""
        return list(self._rings)

    def append(
        self, symbol: str, row: tuple[int, float, float, float, int, int, int, float]
    ) -> None:
        """Store one tick of ``symbol`` (TICKS_DTYPE field order), evicting if needed."""
        ring = self._rings.get(symbol)
        if ring is None:
            while len(self._rings) >= self.max_symbols:
                self._rings.popitem(last=False)
                self.evicted += 1
            ring = self._rings[symbol] = TickRing(self.max_ticks)
        else:
            self._rings.move_to_end(symbol)
        ring.append(row)

    def extend(self, symbol: str, rows: npt.NDArray[np.void]) -> None:
        """Store the ticks ``rows`` (TICKS_DTYPE, oldest first) of ``symbol`` in one go."""
        if not len(rows):
            return
        ring = self._rings.get(symbol)
        if ring is None:
            ring = self._ring(symbol)
        else:
            self._rings.move_to_end(symbol)
        ring.extend(rows)

    def _ring(self, symbol: str) -> TickRing:
        ring = self._rings.get(symbol)
        if ring is None:
            while len(self._rings) >= self.max_symbols:
                self._rings.popitem(last=False)
                self.evicted += 1
            ring = self._rings[symbol] = TickRing(self.max_ticks)
        else:
            self._rings.move_to_end(symbol)
        return ring

    def ticks(self, symbol: str) -> npt.NDArray[np.void]:
        """Every stored tick of ``symbol``, oldest first (empty array if none)."""
        ring = self._rings.get(symbol)
        return ring.array() if ring is not None else np.zeros(0, dtype=TICKS_DTYPE)

    def since_msc(self, symbol: str) -> int | None:
        """Time (ms) from which the stored history of ``symbol`` is complete, or None."""
        ring = self._rings.get(symbol)
        return ring.since_msc if ring is not None else None

    def range(self, symbol: str, from_msc: int, to_msc: int) -> npt.NDArray[np.void]:
        """Stored ticks with ``from_msc <= time_msc <= to_msc``."""
        arr = self.ticks(symbol)
        mask = (arr["time_msc"] >= from_msc) & (arr["time_msc"] <= to_msc)
        return arr[mask]

    def from_time(self, symbol: str, from_msc: int, count: int) -> npt.NDArray[np.void]:
        """At most ``count`` stored ticks with ``time_msc >= from_msc``."""
        arr = self.ticks(symbol)
        return arr[arr["time_msc"] >= from_msc][: max(count, 0)]

    def last(self, symbol: str) -> npt.NDArray[np.void] | None:
        ring = self._rings.get(symbol)
        return ring.last() if ring is not None else None

    def clear(self, symbol: str | None = None) -> None:
        """Forget the history of ``symbol``, or of every symbol."""
        if symbol is None:
            self._rings.clear()
        else:
            self._rings.pop(symbol, None)

    @property
    def nbytes(self) -> int:
        """Bytes held by the ring buffers."""
        return sum(r.nbytes for r in self._rings.values())
