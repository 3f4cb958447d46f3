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
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from MetaTrader5.protocol import bulk
from MetaTrader5.records import TICKS_DTYPE

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
#: crossover ~80-130 ticks with 3-10 symbols per push, on a loaded 2-core VM.
BATCH_PUSH = 96
_MISSING: Any = object()
_WIRE_PRICES = bulk.TICK_DTYPE.fields["bid"][1]  # type: ignore[index]
_OUT_PRICES = TICKS_DTYPE.fields["bid"][1]  # type: ignore[index]


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


@dataclass(slots=True)
class PushResult:
    """What one push changed: accepted ticks grouped by symbol, and in arrival order."""

    received: int
    #: accepted ticks, grouped by symbol (oldest first within a symbol)
    grouped: Array
    #: (symbol, start, stop) of each symbol's rows in ``grouped``
    slices: list[tuple[str, int, int]]
    #: positions into ``grouped`` in arrival order, for per-tick dispatch
    arrival: list[int]
    #: symbol name of each row of ``grouped``
    names: list[str]
    #: ``grouped`` as tuples, when the path that built it had them anyway
    rows: list[tuple[Any, ...]] | None = None

    @property
    def accepted(self) -> int:
        return len(self.grouped)

    def in_arrival_order(self) -> list[tuple[str, tuple[Any, ...]]]:
        """(symbol, TICKS_DTYPE row tuple) of every accepted tick, in arrival order."""
        rows = self.rows if self.rows is not None else self.grouped.tolist()
        names = self.names
        return [(names[i], rows[i]) for i in self.arrival]


def _prices(rows: Array, offset: int) -> Array:
    """The bid, ask, last columns of a contiguous tick array as one (n, 3) float64 view."""
    return np.ndarray((len(rows), 3), np.float64, rows, offset, (rows.itemsize, 8))


def official_ticks(rows: Array, scale: Array | float) -> Array:
    """Wire ticks -> ``TICKS_DTYPE`` (stateless, prices as sent; spec 3.5.1, 4.6).

    A lean version of ``bulk.ticks_to_official`` for the small arrays of live pushes: a
    dozen numpy calls and no chunking. ``scale`` is 10^digits, scalar or one per tick.
    """
    rows = np.ascontiguousarray(rows)
    n = len(rows)
    out = np.empty(n, TICKS_DTYPE)
    if n == 0:
        return out
    out["time"] = rows["time"]
    msc = rows["time"].astype(np.int64)
    msc *= 1000
    msc += rows["time_ms"]
    out["time_msc"] = msc
    fields = rows["fields"] & 0x0F
    fields <<= 1
    out["flags"] = fields
    prices = np.rint(_prices(rows, _WIRE_PRICES))
    prices /= scale[:, np.newaxis] if isinstance(scale, np.ndarray) and scale.ndim else scale
    _prices(out, _OUT_PRICES)[:] = prices
    volume = rows["volume"]
    out["volume_real"] = volume / 1e8
    out["volume"] = np.maximum(volume, 0) // 100_000_000
    return out


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
    """The rules of spec 3.5.1 one tick at a time, rows collected per symbol."""
    groups: dict[str, list[tuple[Any, ...]]] = {}
    order: list[tuple[str, int]] = []
    # One dict lookup per tick: (state, 10^digits, name, rows) of each symbol id, None if
    # unknown. A symbol's rows list exists from its first tick, so it may stay empty.
    slots: dict[int, tuple[QuoteState, float, str, list[tuple[Any, ...]]] | None] = {}
    for sid, sec, fields, bid, ask, last, volume, ms, _flags in rows.tolist():
        slot = slots.get(sid, _MISSING)
        if slot is _MISSING:
            known = lookup(sid)
            if known is None:
                slot = slots[sid] = None
            else:
                slot = slots[sid] = (known, 10.0**known.digits, known.name,
                                     groups.setdefault(known.name, []))  # fmt: skip
        if slot is None:
            continue
        entry, scale, name, bucket = slot
        msc = sec * 1000 + ms
        if msc < entry.bidask_msc:
            continue  # spec 3.5.1: out of order, dropped whole
        # rint(wire) / 10^digits, as the vectorised path (module docstring): round() without
        # ndigits is a cheap half-even rint; round(x, digits) would format decimals.
        if fields & 1 and bid:
            entry.bid = round(bid) / scale
        if fields & 2 and ask:
            entry.ask = round(ask) / scale
        if fields & 3 and (bid or ask):
            entry.bidask_msc = msc
        if fields & 4 and last:
            entry.last = round(last) / scale
        lots = 0.0
        if fields & 8:
            lots = volume / 1e8
            entry.volume_real = lots
        entry.time_msc = msc
        flags = entry.flags = (fields & 0x0F) << 1  # spec 4.6 [INF]: wire fields -> TICK_FLAG_*
        order.append((name, len(bucket)))
        bucket.append((sec, entry.bid, entry.ask, entry.last, int(lots) if lots > 0 else 0, msc,
                       flags, lots))  # fmt: skip
    grouped_rows: list[tuple[Any, ...]] = []
    slices: list[tuple[str, int, int]] = []
    names: list[str] = []
    offsets: dict[str, int] = {}
    for name, bucket in groups.items():
        if not bucket:
            continue
        offsets[name] = lo = len(grouped_rows)
        grouped_rows.extend(bucket)
        slices.append((name, lo, len(grouped_rows)))
        names.extend([name] * len(bucket))
    arrival = [offsets[name] + i for name, i in order]
    grouped = np.array(grouped_rows, TICKS_DTYPE) if grouped_rows else np.zeros(0, TICKS_DTYPE)
    return PushResult(len(rows), grouped, slices, arrival, names, grouped_rows)


def apply_ticks_vectorised(
    rows: Array, lookup: Callable[[int], QuoteState | None]
) -> PushResult:
    """The rules of spec 3.5.1 for a whole push at once (module docstring).

    Every numpy call costs about a microsecond on small arrays, so this path uses methods
    and preallocated index arrays rather than the Python-level numpy helpers
    (``take_along_axis``, ``append``, ``flatnonzero``): its fixed cost decides from which
    push size it beats the scalar loop.
    """
    n = len(rows)
    if n == 0:
        return PushResult(0, np.zeros(0, TICKS_DTYPE), [], [], [])
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
    raw = _prices(wire, _WIRE_PRICES)
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
    _prices(ticks, _OUT_PRICES)[:] = filled[ext, :3]
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
    return PushResult(n, kept, slices, arrival, names)


def _arange(n: int) -> Array:
    """``np.arange(n)`` (int64) as a view of a cached array, grown on demand."""
    global _SPAN  # noqa: PLW0603 - a cache of one array, replaced only to grow
    if len(_SPAN) < n:
        _SPAN = np.arange(max(n, 2 * len(_SPAN)), dtype=np.int64)
    return _SPAN[:n]
