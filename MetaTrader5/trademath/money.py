"""Rounding of money amounts, applied only at the surface that shows them.

Every trademath function returns full precision. The client rounds the account_info() fields
and order_calc_* results, the server rounds what it books (deal profit, balance), each with
the account's ``currency_digits`` (spec 3.3.1) through this one helper so both round alike.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["round_money"]


def round_money(value: float, digits: int = 2) -> float:
    """Round ``value`` to ``digits`` decimals, halves away from zero, as MT5 shows money.

    The shortest repr of the float is rounded (not its binary expansion), so 2.675 becomes
    2.68 and -0.005 becomes -0.01, as a person reading the number expects. A zero result is
    +0.0. Non-finite values are returned unchanged.

    Raises:
        ValueError: ``digits`` is negative.
    """
    if digits < 0:
        raise ValueError(f"digits must not be negative, got {digits}")
    if not math.isfinite(value):
        return value
    quantum = Decimal(1).scaleb(-digits)
    rounded = float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # -0.0 -> 0.0
