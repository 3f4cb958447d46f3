"""Argument checks shared by the margin, profit and account modules."""

from __future__ import annotations

import math

__all__ = ["check_leverage", "check_order_type", "check_price", "check_volume", "is_buy"]

#: ORDER_TYPE_BUY .. ORDER_TYPE_SELL_STOP_LIMIT (spec 4.6); CLOSE_BY (8) has no direction.
_LAST_DIRECTIONAL_TYPE = 7


def check_order_type(order_type: int) -> int:
    """Return ``order_type`` if it is a directional ORDER_TYPE_* (0..7), else raise ValueError."""
    if isinstance(order_type, bool) or not isinstance(order_type, int):
        raise ValueError(f"order type must be an int ORDER_TYPE_* 0..7, got {order_type!r}")
    if not 0 <= order_type <= _LAST_DIRECTIONAL_TYPE:
        raise ValueError(f"order type must be an ORDER_TYPE_* 0..7, got {order_type}")
    return order_type


def is_buy(order_type: int) -> bool:
    """Even ORDER_TYPE_* values buy, odd ones sell (spec 4.6); position types 0/1 alike."""
    return check_order_type(order_type) % 2 == 0


def check_volume(volume: float) -> float:
    """Volumes are lots: finite and not negative (0 is allowed and gives 0)."""
    if not math.isfinite(volume):
        raise ValueError(f"volume must be a finite number of lots, got {volume!r}")
    if volume < 0:
        raise ValueError(f"volume must not be negative, got {volume!r}")
    return float(volume)


def check_price(price: float, name: str = "price") -> float:
    if not math.isfinite(price):
        raise ValueError(f"{name} must be finite, got {price!r}")
    return float(price)


def check_leverage(leverage: int) -> int:
    if leverage < 1:
        raise ValueError(f"account leverage must be at least 1, got {leverage!r}")
    return leverage
