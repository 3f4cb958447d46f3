"""Push 8 (spec 3.5.1): quote state, accepted ticks and per-symbol slices of one push.

Small pushes (the live feed's) run a lean scalar loop; large ones one vectorised pass that
applies the per-tick rules to the whole push at once:

* prices are scaled by 10^digits; a price is taken when its field bit is set and it is not 0,
  otherwise the symbol's previous value stays ("0 = unchanged"); the volume applies whenever
  its bit is set;
* a tick older than the last bid/ask update of its symbol is dropped whole. Because an
  accepted bid/ask tick is never older than that mark, the mark before tick i equals the
  running maximum over *all* earlier bid/ask ticks of the symbol (a dropped one is below it),
  so acceptance is a segmented cumulative maximum;
* forward filling is a cumulative maximum of "last valid index" per column, with the symbol's
  current state inserted as a row in front of its ticks so that no value leaks between
  symbols.

Prices are ``rint(wire) / 10^digits``: for the integral wire prices this is exactly
``round(wire / 10^digits, digits)`` (both are the double nearest to the decimal value).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import starmap
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import TICKS_DTYPE

from ._tick_convert import OUT_PRICES, OUT_ROW, WIRE_PRICES, official_ticks, price_block, wire_rows

__all__ = [
    "PushResult",
    "QuoteState",
    "BATCH_PUSH",
    "SMALL_PUSH",
    "apply_ticks",
    "apply_ticks_scalar",
    "apply_ticks_vectorised",
    "official_ticks",
]

Array = npt.NDArray[Any]

#: Bits of the segment number above the time in the segmented maximum (times < 2^42 ms,
#: i.e. before the year 2109).
_SHIFT = 42
#: spec 3.5.1 wire field bits of bid, ask, last and volume.
_BITS4 = np.array([1, 2, 4, 8], dtype=np.uint32)
#: column selector of the forward fill (``values[index, _COLUMNS]``).
_COLUMNS = np.arange(4)
#: cached ``arange`` for the vectorised path (see ``_arange``).
_SPAN = np.arange(1024, dtype=np.int64)
#: Pushes up to this many ticks take the scalar path when per-tick rows are wanted (they come
#: free with it; measured crossover ~300-1000 ticks).
SMALL_PUSH = 400
#: The same bound when only whole arrays are wanted (no ``on_tick`` subscriber): measured
#: crossover ~150-200 ticks with 3-10 symbols per push, on a loaded 2-core VM.
BATCH_PUSH = 128
#: End marker of the scalar loop (``symbol_id`` None: no symbol has it).
_END: tuple[Any, ...] = (None, 0, 0, 0.0, 0.0, 0.0, 0, 0, 0)


class QuoteState(Protocol):
    """The per-symbol quote state a push updates (``market.SymbolEntry``)."""

    name: str
    digits: int
    bid: float
    ask: float
    last: float
    volume_real: float
    time_msc: int
    bidask_msc: int
    flags: int


class PushResult:
    """What one push changed: accepted ticks grouped by symbol, and in arrival order.

    The scalar path hands over the (symbol, row) pairs in arrival order it built anyway;
    ``arrival`` and ``names`` are then derived only when somebody asks for them.
    """

    __slots__ = ("_arrival", "_names", "_ordered", "grouped", "received", "rows", "slices")

    def __init__(
        self,
        received: int,
        grouped: Array,
        slices: list[tuple[str, int, int]],
        *,
        arrival: list[int] | None = None,
        names: list[str] | None = None,
        rows: list[tuple[Any, ...]] | None = None,
        ordered: list[tuple[str, tuple[Any, ...]]] | None = None,
    ) -> None:
        self.received = received
        #: accepted ticks, grouped by symbol (oldest first within a symbol)
        self.grouped = grouped
        #: (symbol, start, stop) of each symbol's rows in ``grouped``
        self.slices = slices
        #: ``grouped`` as tuples, when the path that built it had them anyway
        self.rows = rows
        self._arrival = arrival
        self._names = names
        self._ordered = ordered

    def __repr__(self) -> str:
        return f"<PushResult {self.accepted} of {self.received} ticks, {len(self.slices)} symbols>"

    @property
    def accepted(self) -> int:
        return len(self.grouped)

    @property
    def arrival(self) -> list[int]:
        """Positions into ``grouped`` in arrival order, for per-tick dispatch."""
        if self._arrival is None:
            # Every row tuple is a distinct object: its identity gives its position.
            at = {id(row): i for i, row in enumerate(self.rows or ())}
            self._arrival = [at[id(row)] for _, row in self._ordered or ()]
        return self._arrival

    @property
    def names(self) -> list[str]:
        """Symbol name of each row of ``grouped``."""
        if self._names is None:
            self._names = [name for name, lo, hi in self.slices for _ in range(hi - lo)]
        return self._names

    def in_arrival_order(self) -> list[tuple[str, tuple[Any, ...]]]:
        """(symbol, TICKS_DTYPE row tuple) of every accepted tick, in arrival order."""
        if self._ordered is not None:
            return self._ordered
        rows = self.rows if self.rows is not None else self.grouped.tolist()
        names = self.names
        return [(names[i], rows[i]) for i in self.arrival]


def apply_ticks(
    rows: Array, lookup: Callable[[int], QuoteState | None], per_tick: bool = True
) -> PushResult:
    """Apply one push to the quote states and return the accepted ticks (module docstring).

    Pushes of up to :data:`SMALL_PUSH` ticks (:data:`BATCH_PUSH` when ``per_tick`` is false:
    nobody needs the per-tick row tuples the scalar loop builds) take the scalar path (a few
    dozen numpy calls cost more than a short Python loop); larger ones the vectorised one.
    Both give the same.
    """
    if len(rows) <= (SMALL_PUSH if per_tick else BATCH_PUSH):
        return apply_ticks_scalar(rows, lookup)
    return apply_ticks_vectorised(rows, lookup)


def apply_ticks_scalar(rows: Array, lookup: Callable[[int], QuoteState | None]) -> PushResult:
    """The rules of spec 3.5.1 one tick at a time, one symbol after the other.

    The ticks are visited grouped by symbol (a stable sort keeps each symbol's arrival
    order, and the symbols never interact), so a symbol's quote state lives in local
    variables while its ticks are applied and is written back once. Groups come out in the
    order of their first tick, and the (symbol, row) pairs in arrival order.
    """
    n = len(rows)
    data = wire_rows(rows)
    order: list[int] = rows["symbol_id"].argsort(kind="stable").tolist() if n > 1 else [0] * n
    order.append(n)
    data.append(_END)
    ordered: list[Any] = [None] * n
    grouped: list[tuple[Any, ...]] = []
    append = grouped.append
    groups: list[tuple[int, str, int, int]] = []  # (first arrival, symbol, lo, hi)
    entry: QuoteState | None = None
    current: object = _END
    name, scale, first, lo = "", 1.0, 0, 0
    bid_now = ask_now = last_now = volume_now = 0.0
    mark = 0
    row: tuple[Any, ...] = _END
    for k in order:
        sid, sec, fields, bid, ask, last, volume, ms, _flags = data[k]
        if sid != current:
            if entry is not None and len(grouped) > lo:
                entry.bid, entry.ask, entry.last = bid_now, ask_now, last_now
                entry.volume_real, entry.bidask_msc = volume_now, mark
                entry.time_msc, entry.flags = row[5], row[6]
                groups.append((first, name, lo, len(grouped)))
            if sid is None:
                break
            current = sid
            entry = lookup(sid)
            if entry is None:
                continue
            name, scale, first, lo = entry.name, 10.0**entry.digits, k, len(grouped)
            bid_now, ask_now, last_now = entry.bid, entry.ask, entry.last
            volume_now, mark = entry.volume_real, entry.bidask_msc
        elif entry is None:
            continue
        msc = sec * 1000 + ms
        if msc < mark:
            continue  # spec 3.5.1: out of order, dropped whole
        # rint(wire) / 10^digits, as the vectorised path (module docstring): round() without
        # ndigits is a cheap half-even rint; round(x, digits) would format decimals.
        if fields & 1 and bid:
            bid_now = round(bid) / scale
        if fields & 2 and ask:
            ask_now = round(ask) / scale
        if fields & 3 and (bid or ask):
            mark = msc
        if fields & 4 and last:
            last_now = round(last) / scale
        # spec 4.6 [INF]: wire fields -> TICK_FLAG_*
        if fields & 8:
            volume_now = lots = volume / 1e8
            row = (sec, bid_now, ask_now, last_now, int(lots) if lots > 0 else 0, msc,
                   (fields & 0x0F) << 1, lots)  # fmt: skip
        else:
            row = (sec, bid_now, ask_now, last_now, 0, msc, (fields & 0x0F) << 1, 0.0)
        append(row)
        ordered[k] = (name, row)
    if len(grouped) < n:
        ordered = [pair for pair in ordered if pair is not None]
    slices: list[tuple[str, int, int]]
    firsts = [group[0] for group in groups]
    if firsts != sorted(firsts):  # symbol ids not in the order the symbols came in
        groups.sort()  # first arrival is unique per group
        by_symbol: list[tuple[Any, ...]] = []
        slices = []
        for _, symbol, start, stop in groups:
            at = len(by_symbol)
            by_symbol += grouped[start:stop]
            slices.append((symbol, at, at + stop - start))
        grouped = by_symbol
    else:
        slices = [(symbol, start, stop) for _, symbol, start, stop in groups]
    # One bytes block for the whole push (bytearray: the array must stay writable).
    array = np.frombuffer(bytearray().join(starmap(OUT_ROW.pack, grouped)), TICKS_DTYPE)
    return PushResult(n, array, slices, rows=grouped, ordered=ordered)


def apply_ticks_vectorised(rows: Array, lookup: Callable[[int], QuoteState | None]) -> PushResult:
    """The rules of spec 3.5.1 for a whole push at once (module docstring).

    Every numpy call costs about a microsecond on small arrays, so this path uses methods
    and preallocated index arrays rather than the Python-level numpy helpers
    (``take_along_axis``, ``append``, ``flatnonzero``): its fixed cost decides from which
    push size it beats the scalar loop.
    """
    n = len(rows)
    if n == 0:
        return PushResult(0, np.zeros(0, TICKS_DTYPE), [], arrival=[], names=[])
    order = rows["symbol_id"].argsort(kind="stable")
    wire = rows[order]  # grouped by symbol, arrival order kept within each symbol
    sid = wire["symbol_id"]
    first = np.empty(n, bool)
    first[0] = True
    np.not_equal(sid[1:], sid[:-1], out=first[1:])
    starts = first.nonzero()[0]
    group = first.cumsum()
    group -= 1
    u = len(starts)
    states: Sequence[QuoteState | None] = [lookup(s) for s in sid[starts].tolist()]
    init = np.array([(s.bid, s.ask, s.last, s.volume_real, s.bidask_msc, 10.0**s.digits, 1.0)
                     if s is not None else (0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0)
                     for s in states], dtype=np.float64)  # fmt: skip
    span = _arange(n + u)
    # Extended layout: each symbol's state row, then its ticks.
    ext = span[:n] + group
    ext += 1
    heads = starts + span[:u]
    m = n + u
    fields = wire["fields"]
    msc = wire["time"].astype(np.int64)
    msc *= 1000
    msc += wire["time_ms"]
    raw = price_block(wire, WIRE_PRICES)
    nonzero = raw != 0
    bidask = (fields & 3) != 0
    bidask &= nonzero[:, 0] | nonzero[:, 1]
    seg = span[:u] << _SHIFT
    base = group << _SHIFT
    key = np.empty(m, np.int64)
    key[heads] = seg + init[:, 4].astype(np.int64)
    key[ext] = base + np.where(bidask, msc, -2)
    np.maximum.accumulate(key, out=key)
    accepted = base + msc >= key[ext - 1]
    accepted &= init[group, 6] != 0  # unknown symbols: nothing accepted

    # Forward fill of bid, ask, last and the volume state (columns 0-3).
    values = np.empty((m, 4), np.float64)
    values[heads] = init[:, :4]
    has_volume = (fields & 8) != 0
    lots = wire["volume"] / 1e8
    values[ext, :3] = np.rint(raw) / init[group, 5:6]
    values[ext, 3] = lots
    valid = np.ones((m, 4), bool)
    tick_valid = (fields[:, np.newaxis] & _BITS4) != 0
    tick_valid[:, :3] &= nonzero
    tick_valid &= accepted[:, np.newaxis]
    valid[ext] = tick_valid
    index = np.where(valid, span[:m, np.newaxis], 0)
    np.maximum.accumulate(index, axis=0, out=index)
    filled = values[index, _COLUMNS]

    ticks = np.empty(n, TICKS_DTYPE)
    ticks["time"] = wire["time"]
    price_block(ticks, OUT_PRICES)[:] = filled[ext, :3]
    row_lots = np.where(has_volume, lots, 0.0)
    ticks["volume"] = np.maximum(row_lots, 0.0)
    ticks["time_msc"] = msc
    flags = fields & 0x0F
    flags <<= 1
    ticks["flags"] = flags
    ticks["volume_real"] = row_lots

    # Last accepted tick of each symbol -> its new state (one Python step per symbol). The
    # fill after a symbol's last row is its final state; its last accepted tick is the last
    # of its rows in ``kept``.
    ends = np.empty(u, np.intp)
    ends[:-1] = heads[1:]
    ends[:-1] -= 1
    ends[-1] = m - 1
    final = filled[ends].tolist()
    marks = (key[ends] - seg).tolist()
    kept = ticks[accepted]
    kept_msc = msc[accepted].tolist()
    kept_flags = flags[accepted].tolist()
    counts = np.bincount(group[accepted], minlength=u).tolist()
    slices: list[tuple[str, int, int]] = []
    names: list[str] = []
    lo = 0
    for k, state in enumerate(states):
        count = counts[k]
        if state is None or not count:
            continue
        hi = lo + count
        state.bid, state.ask, state.last, state.volume_real = final[k]
        state.time_msc = kept_msc[hi - 1]
        state.bidask_msc = max(marks[k], state.bidask_msc)
        state.flags = kept_flags[hi - 1]
        slices.append((state.name, lo, hi))
        names.extend([state.name] * count)
        lo = hi
    arrival = order[accepted].argsort(kind="stable").tolist()
    return PushResult(n, kept, slices, arrival=arrival, names=names)


def _arange(n: int) -> Array:
    """``np.arange(n)`` (int64) as a view of a cached array, grown on demand."""
    global _SPAN  # noqa: PLW0603 - a cache of one array, replaced only to grow
    if len(_SPAN) < n:
        _SPAN = np.arange(max(n, 2 * len(_SPAN)), dtype=np.int64)
    return _SPAN[:n]
