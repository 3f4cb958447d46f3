"""Profit of a trade per SYMBOL_CALC_MODE, converted into the deposit currency (spec 4.9).

In the profit currency of the symbol (MQL5 ENUM_SYMBOL_CALC_MODE), with ``d = +1`` for buys
and ``-1`` for sells:

* Forex, Forex no leverage, CFD, CFD index, CFD leverage, exchange stocks (and MOEX),
  exchange options: ``d * (close - open) * contract_size * lots``
* Futures, exchange futures, FORTS futures, exchange margin options:
  ``d * (close - open) * tick_value / tick_size * lots`` (tick_value in the profit currency)
* Exchange bonds (and MOEX): ``d * (close - open) * contract_size * face_value / 100 * lots``
  (bond prices are percent of face value; accrued interest is a property of the price, not of
  the price change, so it does not enter the profit)
* Collateral: no profit (0).

The deposit-currency value uses the profit conversion rule of ``conversion`` (a gain is
converted at the side worse for the account, a loss likewise), with a leg on the traded symbol
itself priced at ``price_close``. So the result in the profit currency is exactly antisymmetric
between buy and sell; in the deposit currency it is antisymmetric up to the spread of the
conversion symbols.

A position closes at the bid when it is a buy and at the ask when it is a sell
(``close_price``); it opens at the opposite side (``open_price``).
"""

from __future__ import annotations

from MetaTrader5.trademath._checks import check_price, check_volume, is_buy
from MetaTrader5.trademath.calcmodes import (
    BOND_MODES,
    PRICE_PROFIT_MODES,
    TICK_PROFIT_MODES,
    CalcMode,
)
from MetaTrader5.trademath.conversion import QuoteLookup, SymbolIndex, convert
from MetaTrader5.trademath.errors import MissingQuoteError, UnsupportedCalcModeError
from MetaTrader5.trademath.specs import ContractSpec, Position

__all__ = [
    "close_price",
    "open_price",
    "profit_in_currency",
    "profit",
    "position_profit",
]


def close_price(order_type: int, bid: float, ask: float) -> float:
    """The price a position of ``order_type`` closes at now: a buy at bid, a sell at ask."""
    return bid if is_buy(order_type) else ask


def open_price(order_type: int, bid: float, ask: float) -> float:
    """The market price an order of ``order_type`` fills at: a buy at ask, a sell at bid."""
    return ask if is_buy(order_type) else bid


def profit_in_currency(
    spec: ContractSpec,
    order_type: int,
    volume: float,
    price_open: float,
    price_close: float,
) -> float:
    """Profit in the symbol's profit currency (``spec.currency_profit``), full precision.

    Args:
        order_type: ORDER_TYPE_* 0..7 or POSITION_TYPE_* 0/1 (even buys, odd sells).

    Raises:
        ValueError: negative/non-finite volume or price, bad order type, tick_size <= 0 in a
            tick-valued mode.
        UnsupportedCalcModeError: unknown calc mode.
    """
    direction = 1.0 if is_buy(order_type) else -1.0
    lots = check_volume(volume)
    move = check_price(price_close, "price_close") - check_price(price_open, "price_open")
    mode = spec.calc_mode
    if mode in PRICE_PROFIT_MODES:
        per_price_unit = spec.contract_size
    elif mode in TICK_PROFIT_MODES:
        if spec.tick_size <= 0:
            raise ValueError(
                f"symbol {spec.name!r}: tick_size must be positive for calc mode {mode}"
            )
        per_price_unit = spec.tick_value / spec.tick_size
    elif mode in BOND_MODES:
        per_price_unit = spec.contract_size * spec.face_value / 100.0
    elif mode == CalcMode.SERV_COLLATERAL:
        return 0.0
    else:
        raise UnsupportedCalcModeError(spec.name, mode)
    return direction * move * per_price_unit * lots


def profit(  # noqa: PLR0917 - order_calc_profit order, then the market context
    spec: ContractSpec,
    order_type: int,
    volume: float,
    price_open: float,
    price_close: float,
    account_currency: str,
    index: SymbolIndex,
    quotes: QuoteLookup,
) -> float:
    """Profit in the deposit currency, as ``order_calc_profit(type, symbol, volume, open, close)``.

    Raises:
        ValueError, UnsupportedCalcModeError: see ``profit_in_currency``.
        ConversionError: the profit currency cannot be converted into ``account_currency``.
    """
    amount = profit_in_currency(spec, order_type, volume, price_open, price_close)
    return convert(
        amount,
        spec.currency_profit,
        account_currency,
        index,
        quotes,
        symbol_price=(spec.name, abs(price_close)),
    )


def position_profit(
    spec: ContractSpec,
    position: Position,
    account_currency: str,
    index: SymbolIndex,
    quotes: QuoteLookup,
) -> float:
    """Floating profit of an open position at the current quote (swap and commission excluded).

    Raises:
        MissingQuoteError: ``quotes`` has nothing for the position's symbol.
        ConversionError, ValueError, UnsupportedCalcModeError: as ``profit``.
    """
    quote = quotes(position.symbol)
    if quote is None:
        raise MissingQuoteError(position.symbol)
    bid, ask = quote
    return profit(
        spec,
        position.type,
        position.volume,
        position.price_open,
        close_price(position.type, bid, ask),
        account_currency,
        index,
        quotes,
    )
