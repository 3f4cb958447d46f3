"""The per-tick rules of push 8 (spec 3.5.1), written out plainly: the executable
specification that the client's fast tick paths are compared with (test_tick_push.py,
test_p3_fast_paths.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from MetaTrader5.records import TICKS_DTYPE

Row = tuple[str, tuple[Any, ...]]


@dataclass
class SymbolState:
    """The quote state the rules keep per symbol (the fields the client's entries have)."""

    name: str
    digits: int
    bid: float = 0.0
    ask: float = 0.0
    last: float = 0.0
    volume_real: float = 0.0
    time_msc: int = 0
    bidask_msc: int = -1
    flags: int = 0


def per_tick_rules(rows: Any, states: dict[int, SymbolState]) -> tuple[list[Row], list[str]]:
    """Spec 3.5.1 one tick at a time: (symbol, official row) in arrival order, and the
    symbols with a kept tick in the order of their first tick (kept or not)."""
    out: list[Row] = []
    seen: list[str] = []
    for sid, sec, fields, bid, ask, last, volume, ms, _flags in rows.tolist():
        entry = states.get(sid)
        if entry is None:
            continue
        if entry.name not in seen:
            seen.append(entry.name)
        msc = sec * 1000 + ms
        if msc < entry.bidask_msc:
            continue
        scale = 10.0**entry.digits
        if fields & 1 and bid:
            entry.bid = float(np.rint(bid)) / scale
        if fields & 2 and ask:
            entry.ask = float(np.rint(ask)) / scale
        if fields & 3 and (bid or ask):
            entry.bidask_msc = msc
        if fields & 4 and last:
            entry.last = float(np.rint(last)) / scale
        lots = 0.0
        if fields & 8:
            lots = volume / 1e8
            entry.volume_real = lots
        entry.time_msc = msc
        entry.flags = (fields & 0x0F) << 1
        volume_lots = int(lots) if lots > 0 else 0
        row = (sec, entry.bid, entry.ask, entry.last, volume_lots, msc, entry.flags, lots)
        out.append((entry.name, row))
    kept = {name for name, _ in out}
    return out, [name for name in seen if name in kept]


def tick_rows(lo: int, hi: int, *, flags: bool = False) -> Any:
    """Official ticks with times ``lo..hi-1`` ms (bid = time / 10; flags cycling if asked)."""
    arr = np.zeros(hi - lo, TICKS_DTYPE)
    arr["time_msc"] = np.arange(lo, hi)
    arr["bid"] = np.arange(lo, hi) / 10
    if flags:
        arr["flags"] = np.arange(lo, hi) % 7
    return arr
