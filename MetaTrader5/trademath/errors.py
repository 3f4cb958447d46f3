"""Exceptions of the trade math.

Error tree (every class is also a builtin the caller may already catch)::

    TradeMathError (Exception)
    ├── ConversionError (LookupError)      no symbol or quote converts one currency to another
    ├── MissingQuoteError (LookupError)    the traded symbol itself has no quote
    ├── UnknownSymbolError (KeyError)      a position's symbol has no contract spec
    └── UnsupportedCalcModeError (ValueError)  a SYMBOL_CALC_MODE_* we have no formula for

Invalid arguments (negative volume, an order type outside 0..7, a leverage below 1) raise a
plain ``ValueError`` with a message naming the argument.
"""

from __future__ import annotations

__all__ = [
    "TradeMathError",
    "ConversionError",
    "MissingQuoteError",
    "UnknownSymbolError",
    "UnsupportedCalcModeError",
]


class TradeMathError(Exception):
    """Base of every failure specific to the trade math."""


class ConversionError(TradeMathError, LookupError):
    """Money cannot be converted: no direct pair, no USD cross, or a leg has no quote."""

    def __init__(self, from_ccy: str, to_ccy: str, reason: str) -> None:
        super().__init__(f"cannot convert {from_ccy} to {to_ccy}: {reason}")
        self.from_ccy = from_ccy
        self.to_ccy = to_ccy
        self.reason = reason


class MissingQuoteError(TradeMathError, LookupError):
    """The quote lookup knows no (bid, ask) for a symbol that a position is on."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"no quote for symbol {symbol!r}")
        self.symbol = symbol


class UnknownSymbolError(TradeMathError, KeyError):
    """A position refers to a symbol whose ContractSpec was not given."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"no contract spec for symbol {symbol!r}")
        self.symbol = symbol

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class UnsupportedCalcModeError(TradeMathError, ValueError):
    """The symbol's calc mode has no margin or profit formula here."""

    def __init__(self, symbol: str, calc_mode: int) -> None:
        super().__init__(f"symbol {symbol!r}: unsupported calc mode {calc_mode}")
        self.symbol = symbol
        self.calc_mode = calc_mode
