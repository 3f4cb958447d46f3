"""SYMBOL_CALC_MODE_* wire values (spec 4.6) and the formula families they fall into.

The wire numbers follow MQL5. The official Python module names 34 ``EXCH_OPTIONS``; in MQL5
(and on the wire, spec 4.6) 34 is FORTS futures and 35 exchange options, which is what the
formulas here follow.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["CalcMode", "PRICE_PROFIT_MODES", "TICK_PROFIT_MODES", "BOND_MODES"]


class CalcMode(IntEnum):
    FOREX = 0
    FUTURES = 1
    CFD = 2
    CFDINDEX = 3
    CFDLEVERAGE = 4
    FOREX_NO_LEVERAGE = 5
    EXCH_STOCKS = 32
    EXCH_FUTURES = 33
    EXCH_FUTURES_FORTS = 34
    EXCH_OPTIONS = 35
    EXCH_OPTIONS_MARGIN = 36
    EXCH_BONDS = 37
    EXCH_STOCKS_MOEX = 38
    EXCH_BONDS_MOEX = 39
    SERV_COLLATERAL = 64


#: Profit = (close - open) * contract_size * lots.
PRICE_PROFIT_MODES = frozenset(
    {
        CalcMode.FOREX,
        CalcMode.FOREX_NO_LEVERAGE,
        CalcMode.CFD,
        CalcMode.CFDINDEX,
        CalcMode.CFDLEVERAGE,
        CalcMode.EXCH_STOCKS,
        CalcMode.EXCH_STOCKS_MOEX,
        CalcMode.EXCH_OPTIONS,
    }
)
#: Profit = (close - open) * tick_value / tick_size * lots.
TICK_PROFIT_MODES = frozenset(
    {
        CalcMode.FUTURES,
        CalcMode.EXCH_FUTURES,
        CalcMode.EXCH_FUTURES_FORTS,
        CalcMode.EXCH_OPTIONS_MARGIN,
    }
)
#: Prices are percent of face value: value = lots * contract_size * face_value * price / 100.
BOND_MODES = frozenset({CalcMode.EXCH_BONDS, CalcMode.EXCH_BONDS_MOEX})
