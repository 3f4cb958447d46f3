"""A synthetic depth of market around a quote, for book push 23 (spec 3.5.4).

Levels step away from the best prices one spread-ish increment at a time; volumes grow with the
distance from the top and vary deterministically with ``(seed, symbol_id, time_msc)``, so the
same quote always yields the same book. The result is a full snapshot (the wiring sends it
with ``books_flags = 2``, spec 3.5.4), in MT5 order: sells from the highest price down to the
best ask, then buys from the best bid down.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from MetaTrader5.constants import BOOK_TYPE_BUY, BOOK_TYPE_SELL
from MetaTrader5.server.symbols import SymbolSpec

__all__ = ["BookLevel", "book_levels"]

_LAYER_BOOK = 4


class BookLevel(NamedTuple):
    """One price level: ``type`` 1 sell / 2 buy (BOOK_TYPE_*), price, volume in lots."""

    type: int
    price: float
    volume: float


def _round_volume(spec: SymbolSpec, lots: float) -> float:
    steps = max(1, round(lots / spec.volume_step))
    return round(steps * spec.volume_step, 8)


def book_levels(
    spec: SymbolSpec,
    bid: float,
    ask: float,
    time_msc: int,
    *,
    depth: int | None = None,
    seed: int = 0,
) -> tuple[BookLevel, ...]:
    """The book of ``spec`` around ``bid``/``ask``: ``depth`` levels per side (default book_depth).

    Returns sells (highest first) then buys (highest first); empty if depth is 0.
    """
    levels = spec.book_depth if depth is None else depth
    if levels <= 0:
        return ()
    seq = np.random.SeedSequence([seed & 0xFFFF_FFFF_FFFF_FFFF, spec.symbol_id, _LAYER_BOOK,
                                  time_msc & 0xFFFF_FFFF_FFFF])
    rng = np.random.Generator(np.random.PCG64(seq))
    step_points = max(1, spec.spread_points // 2)
    step = step_points * spec.point
    # Volume grows with depth (liquidity further from the touch), with a random factor.
    base = max(spec.volume_min, 1.0 if spec.volume_step < 1 else spec.volume_min * 5)
    growth = 1.0 + np.arange(levels) * 0.6
    sell_vol = base * growth * rng.uniform(0.5, 2.0, levels)
    buy_vol = base * growth * rng.uniform(0.5, 2.0, levels)
    sells = [
        BookLevel(BOOK_TYPE_SELL, round(ask + i * step, spec.digits),
                  _round_volume(spec, float(sell_vol[i])))
        for i in range(levels - 1, -1, -1)
    ]
    buys = [
        BookLevel(BOOK_TYPE_BUY, round(bid - i * step, spec.digits),
                  _round_volume(spec, float(buy_vol[i])))
        for i in range(levels)
        if bid - i * step > 0
    ]
    return tuple(sells + buys)
