"""Pure trade math shared by the simulated server and the client (spec 4.9).

Margin per calc mode, profit with cross-currency conversion, hedged/netted account margin,
equity, free margin, margin level, margin call and stop-out. No I/O, no clock, no asyncio:
every input comes in as ``ContractSpec``, ``AccountTerms``, ``Position`` and a
``QuoteLookup`` (symbol -> (bid, ask) or None), so the server's checks and the client's
``account_info``/``order_calc_*``/``order_check`` always agree.

Every function returns full precision; ``round_money`` rounds at the surface.
"""

from __future__ import annotations

from MetaTrader5.trademath.account import (
    AccountSnapshot,
    account_snapshot,
    floating_profit,
    is_margin_call,
    is_stop_out,
)
from MetaTrader5.trademath.calcmodes import CalcMode
from MetaTrader5.trademath.conversion import (
    USD,
    ConversionLeg,
    QuoteLookup,
    SymbolIndex,
    conversion_rate,
    convert,
)
from MetaTrader5.trademath.errors import (
    ConversionError,
    MissingQuoteError,
    TradeMathError,
    UnknownSymbolError,
    UnsupportedCalcModeError,
)
from MetaTrader5.trademath.hedging import account_margin, symbol_margin
from MetaTrader5.trademath.margin import margin, margin_currency, margin_in_currency, margin_rate
from MetaTrader5.trademath.money import round_money
from MetaTrader5.trademath.profit import (
    close_price,
    open_price,
    position_profit,
    profit,
    profit_in_currency,
)
from MetaTrader5.trademath.specs import NO_RATES, AccountTerms, ContractSpec, Position

__all__ = [
    # inputs
    "NO_RATES",
    "AccountTerms",
    "ContractSpec",
    "Position",
    "CalcMode",
    # conversion
    "USD",
    "QuoteLookup",
    "ConversionLeg",
    "SymbolIndex",
    "conversion_rate",
    "convert",
    # margin
    "margin",
    "margin_in_currency",
    "margin_currency",
    "margin_rate",
    "symbol_margin",
    "account_margin",
    # profit
    "close_price",
    "open_price",
    "profit",
    "profit_in_currency",
    "position_profit",
    # account
    "AccountSnapshot",
    "account_snapshot",
    "floating_profit",
    "is_margin_call",
    "is_stop_out",
    # money
    "round_money",
    # errors
    "TradeMathError",
    "ConversionError",
    "MissingQuoteError",
    "UnknownSymbolError",
    "UnsupportedCalcModeError",
]
