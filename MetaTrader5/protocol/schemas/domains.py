"""Value domains of the spec's enumerations and encodings, used by the records' ``VALID`` tables.

Strict mode only (``assumptions.DEBUG``): a value outside its domain is logged, never rejected,
because a real server may send values the spec does not list.
"""

from __future__ import annotations

from itertools import chain

from ..assumptions import STRICT_MAX_DIGITS, TICK_FIELDS_MASK
from ..valid import FINITE, Valid, between, bits, one_of

__all__ = [
    "ORDER_TYPE",
    "ORDER_FILLING",
    "ORDER_TIME",
    "ORDER_STATE",
    "POSITION_TYPE",
    "DEAL_TYPE",
    "DEAL_ENTRY",
    "BOOK_LEVEL_TYPE",
    "TRADE_ACTION",
    "TICK_FIELDS",
    "SYMBOL_TRADE_MODE",
    "EXECUTION_MODE",
    "SWAP_MODE",
    "GTC_MODE",
    "CHART_MODE",
    "DIGITS",
    "VOLUME",
    "VOLUME_U64",
    "SECONDS",
    "MS_PART",
    "finite",
]

# --- enumerations (spec 4.6) -------------------------------------------------------------------
ORDER_TYPE = between(0, 8)  # BUY .. CLOSE_BY
ORDER_FILLING = between(0, 3)  # FOK, IOC, RETURN, BOC
ORDER_TIME = between(0, 3)  # GTC, DAY, SPECIFIED, SPECIFIED_DAY
ORDER_STATE = between(0, 9)  # STARTED .. REQUEST_CANCEL
POSITION_TYPE = between(0, 1)  # BUY, SELL
DEAL_TYPE = between(0, 18)  # BUY .. TAX (17); the JS also knows 18 as a balance-type deal [?]
DEAL_ENTRY = between(0, 3)  # IN, OUT, INOUT, OUT_BY
BOOK_LEVEL_TYPE = between(0, 4)  # 0 reset (wire only), SELL, BUY, SELL_MARKET, BUY_MARKET
SYMBOL_TRADE_MODE = between(0, 4)  # DISABLED .. FULL
EXECUTION_MODE = between(0, 3)  # REQUEST, INSTANT, MARKET, EXCHANGE
SWAP_MODE = between(0, 8)  # disabled .. reopen by bid
GTC_MODE = between(0, 2)  # GTC, daily, daily excluding stops
CHART_MODE = one_of((0, 1, 255))  # bid, last, 255 "default" (wire only)

#: spec 4.5: client actions 0-10, server actions 100-106, dealer actions 200-208.
TRADE_ACTION = one_of(chain(range(0, 11), range(100, 107), range(200, 209)))

#: spec 3.5.1: tick ``fields`` bits 1 bid, 2 ask, 4 last, 8 volume.
TICK_FIELDS = bits(TICK_FIELDS_MASK)

# --- encodings --------------------------------------------------------------------------------
#: spec 4.4: digits of a symbol or currency; bound chosen in assumptions.STRICT_MAX_DIGITS.
DIGITS = between(0, STRICT_MAX_DIGITS)

#: spec 4.1: volumes count 10^-8 lots, never negative (i64 fields).
VOLUME = between(0)

#: spec 4.1: a u64 volume at or above 2^63 is a negative i64 sent through an unsigned field.
VOLUME_U64 = between(0, 2**63 - 1)

#: spec 4.3: i32 times count seconds since 1970; a negative one is a misread field.
SECONDS = between(0)

#: spec 3.5.1, 3.6.1: millisecond remainders (``time_ms``, ``*_ms``) are 0-999.
MS_PART = between(0, 999)


def finite(*names: str) -> dict[str, Valid]:
    """``{name: FINITE}`` for f64 price fields (NaN and infinities are never prices)."""
    return dict.fromkeys(names, FINITE)
