"""Value conversions between wire units and official units (spec 4.1, 4.4).

Volumes travel as integers in 10^-8 lots; tick and details prices as f64 x 10^digits; book
prices as i64 x 10^digits. Scalar helpers here; vectorised ones are in ``bulk.py``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from .exceptions import EncodeError

__all__ = [
    "VOLUME_SCALE",
    "lots_to_wire",
    "wire_to_lots",
    "scale_price",
    "unscale_price",
    "book_price_to_wire",
    "merge_tick_price",
]

#: spec 4.1: 1.0 lot on the wire.
VOLUME_SCALE = 100_000_000
_VOLUME_QUANTUM = Decimal(1)


def lots_to_wire(lots: float) -> int:
    """Lots -> 10^-8 lot integer via the decimal string, so 0.1 -> 10 000 000 exactly.

    Raises:
        EncodeError: NaN or infinite volume.
    """
    if not math.isfinite(lots):
        raise EncodeError(f"volume {lots!r} is not finite")
    try:
        scaled = Decimal(repr(float(lots))) * VOLUME_SCALE
        return int(scaled.quantize(_VOLUME_QUANTUM, rounding=ROUND_HALF_EVEN))
    except InvalidOperation:  # pragma: no cover - finite floats always convert
        raise EncodeError(f"volume {lots!r} cannot be converted") from None


def wire_to_lots(wire: int) -> float:
    """10^-8 lot integer -> lots, rounded to 8 decimals (spec 4.1)."""
    return round(wire / VOLUME_SCALE, 8)


def scale_price(price: float, digits: int) -> float:
    """Real price -> tick/details wire value (price x 10^digits, spec 3.5.1)."""
    return round(price * 10.0**digits, 6)


def unscale_price(wire: float, digits: int) -> float:
    """Tick/details wire value -> real price, rounded to ``digits`` (spec 3.5.1, 4.4)."""
    return round(wire / 10.0**digits, digits)


def book_price_to_wire(price: float, digits: int) -> int:
    """Real price -> book level integer (price x 10^digits, spec 3.5.4)."""
    return round(price * 10.0**digits)


def merge_tick_price(previous: float, wire: float, valid: bool, digits: int) -> float:
    """Apply one tick price: keep ``previous`` unless the field bit is set and the value is
    non-zero ("0 price = unchanged", spec 3.5.1); the client owns the state."""
    if valid and wire != 0.0:
        return unscale_price(wire, digits)
    return previous
