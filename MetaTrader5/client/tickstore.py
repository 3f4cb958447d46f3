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

from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import TICKS_DTYPE

__all__ = ["TickRing", "TickStore"]

_INITIAL_CAPACITY = 64


class TickRing:
    """A growable ring buffer of ticks for one symbol."""

    __slots__ = ("_buf", "_count", "_start", "max_ticks", "since_msc")

    def __init__(self, max_ticks: int) -> None:
        self.max_ticks = max_ticks
        self._buf = np.zeros(min(_INITIAL_CAPACITY, max_ticks), dtype=TICKS_DTYPE)
        self._start = 0
        self._count = 0
        self.since_msc: int | None = None

    def __len__(self) -> int:
        return self._count

    def append(self, row: tuple[int, float, float, float, int, int, int, float]) -> None:
        """Add one tick (fields in TICKS_DTYPE order)."""
        cap = len(self._buf)
        if self._count == cap and cap < self.max_ticks:
            grown = np.zeros(min(cap * 2, self.max_ticks), dtype=TICKS_DTYPE)
            grown[:cap] = self.array()
            self._buf, self._start = grown, 0
            cap = len(grown)
        if self._count < cap:
            self._buf[(self._start + self._count) % cap] = row
            self._count += 1
        else:
            self._buf[self._start] = row
            self._start = (self._start + 1) % cap
            # The overwritten row is gone: history is complete only from the oldest kept tick.
            self.since_msc = int(self._buf[self._start]["time_msc"])
        if self.since_msc is None:
            self.since_msc = int(row[5])

    def extend(self, rows: npt.NDArray[np.void]) -> None:
        """Add ``rows`` (TICKS_DTYPE, oldest first) with at most two slice assignments."""
        n = len(rows)
        if n == 0:
            return
        if n >= self.max_ticks:  # only the newest max_ticks survive anyway
            if len(self._buf) < self.max_ticks:
                self._buf = np.empty(self.max_ticks, dtype=TICKS_DTYPE)
            self._buf[:] = rows[n - self.max_ticks :]
            self._start, self._count = 0, self.max_ticks
            self.since_msc = int(self._buf[0]["time_msc"])
            return
        cap = len(self._buf)
        need = self._count + n
        if need > cap and cap < self.max_ticks:
            size = cap
            while size < need and size < self.max_ticks:
                size *= 2
            grown = np.zeros(min(size, self.max_ticks), dtype=TICKS_DTYPE)
            grown[: self._count] = self.array()
            self._buf, self._start = grown, 0
            cap = len(grown)
        if self.since_msc is None:
            self.since_msc = int(rows[0]["time_msc"])
        overflow = max(0, need - cap)
        # Write position of the first new row; rows wrap around the end at most once.
        at = (self._start + self._count) % cap
        head = min(n, cap - at)
        self._buf[at : at + head] = rows[:head]
        if head < n:
            self._buf[: n - head] = rows[head:]
        if overflow:
            self._start = (self._start + overflow) % cap
            self._count = cap
            # The overwritten rows are gone: history is complete only from the oldest kept.
            self.since_msc = int(self._buf[self._start]["time_msc"])
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
        ring = self._ring(symbol)
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
