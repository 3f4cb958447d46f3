"""Margin of one order per SYMBOL_CALC_MODE, converted into the deposit currency (spec 4.9).

Per-lot formulas (MQL5 ENUM_SYMBOL_CALC_MODE), before the margin rate of the order type:

* FOREX: contract_size / leverage
* FOREX_NO_LEVERAGE: contract_size
* CFD, EXCH_STOCKS, EXCH_STOCKS_MOEX: contract_size * price
* CFDINDEX: contract_size * price * tick_value / tick_size
* CFDLEVERAGE: contract_size * price / leverage
* FUTURES, EXCH_FUTURES, EXCH_OPTIONS_MARGIN: margin_initial
* EXCH_FUTURES_FORTS: margin_initial, plus the distance of the price beyond the settlement
  price on the losing side, valued at tick_value / tick_size
* EXCH_OPTIONS: contract_size * price (the premium; our assumption)
* EXCH_BONDS, EXCH_BONDS_MOEX: contract_size * face_value * price / 100
* SERV_COLLATERAL: 0 (collateral is an asset, not a margin requirement)

Fixed margin (spec 3.3.2 ``margin_initial``): when non-zero it replaces the whole per-lot
formula in every mode. MQL5 defines SYMBOL_MARGIN_INITIAL as the margin of one lot in the
margin currency, so neither leverage nor price applies to it (FORTS still adds its settlement
term). ``margin_maintenance``, when non-zero, does the same for the maintenance margin.

Currency of the result before conversion: the amount's own dimension decides. Amounts built
from a price (CFD family, stocks, bonds) are in the profit currency; amounts built from the
contract size (Forex modes) or from a fixed margin are in ``currency_margin`` (when empty: the
base currency for Forex modes, the profit currency otherwise). Conversion into the deposit
currency uses the buy/sell side of the conversion quote (see ``conversion``), and a leg on the
traded symbol itself is priced at the order price: 1 lot EURUSD at 1.1 = 1000 EUR = 1100 USD.

Results are full precision; round with ``round_money`` at the surface that shows them.
"""

from __future__ import annotations

from MetaTrader5.trademath._checks import (
    check_leverage,
    check_order_type,
    check_price,
    check_volume,
    is_buy,
)
from MetaTrader5.trademath.calcmodes import BOND_MODES, CalcMode
from MetaTrader5.trademath.conversion import QuoteLookup, SymbolIndex, convert
from MetaTrader5.trademath.errors import UnsupportedCalcModeError
from MetaTrader5.trademath.specs import AccountTerms, ContractSpec

__all__ = ["margin", "margin_in_currency", "margin_rate", "margin_currency"]

_FOREX_MODES = frozenset({CalcMode.FOREX, CalcMode.FOREX_NO_LEVERAGE})
_PRICE_MODES = frozenset(
    {CalcMode.CFD, CalcMode.EXCH_STOCKS, CalcMode.EXCH_STOCKS_MOEX, CalcMode.EXCH_OPTIONS}
)
_FIXED_ONLY_MODES = frozenset(
    {CalcMode.FUTURES, CalcMode.EXCH_FUTURES, CalcMode.EXCH_OPTIONS_MARGIN}
)
_KNOWN_MODES = frozenset(CalcMode)


def margin_currency(spec: ContractSpec) -> str:
    """The currency of fixed and contract-size based margin amounts of ``spec``."""
    if spec.currency_margin.strip():
        return spec.currency_margin
    return spec.currency_base if spec.calc_mode in _FOREX_MODES else spec.currency_profit


def margin_rate(spec: ContractSpec, order_type: int, *, maintenance: bool = False) -> float:
    """The margin multiplier of ``order_type`` (spec 3.3.2 ``margin_rates_*``, 1 if absent).

    A maintenance rate of 0 means "not set" and falls back to the initial rate. The
    ``ContractSpec`` default for maintenance rates is 1.0, so a spec that lowers its initial
    rates should lower its maintenance rates too (the simulator's catalogue sets both).
    """
    check_order_type(order_type)
    initial = spec.margin_rates_initial
    rate = initial[order_type] if order_type < len(initial) else 1.0
    if maintenance:
        kept = spec.margin_rates_maintenance
        own = kept[order_type] if order_type < len(kept) else 0.0
        if own != 0.0:
            rate = own
    return rate


def _tick_factor(spec: ContractSpec) -> float:
    if spec.tick_size <= 0:
        raise ValueError(
            f"symbol {spec.name!r}: tick_size must be positive for calc mode {spec.calc_mode}"
        )
    return spec.tick_value / spec.tick_size


def _per_lot(
    spec: ContractSpec, leverage: int, buy: bool, price: float, fixed: float
) -> tuple[float, bool]:
    """(margin of one lot before the rate, True if in the margin currency else profit)."""
    mode = spec.calc_mode
    contract = spec.contract_size
    if mode == CalcMode.SERV_COLLATERAL:
        return 0.0, True
    if mode == CalcMode.EXCH_FUTURES_FORTS:
        extra = 0.0
        if spec.price_settle > 0:
            beyond = price - spec.price_settle if buy else spec.price_settle - price
            extra = max(0.0, beyond) * _tick_factor(spec)
        return fixed + extra, True
    if fixed or mode in _FIXED_ONLY_MODES:
        # SYMBOL_MARGIN_INITIAL is "the margin of one lot in the margin currency": absolute,
        # so no leverage and no price (spec 3.3.2 margin_initial != 0).
        if mode not in _KNOWN_MODES:
            raise UnsupportedCalcModeError(spec.name, mode)
        return fixed, True
    if mode == CalcMode.FOREX:
        return contract / check_leverage(leverage), True
    if mode == CalcMode.FOREX_NO_LEVERAGE:
        return contract, True
    notional = contract * abs(price)
    if mode in _PRICE_MODES:
        return notional, False
    if mode == CalcMode.CFDLEVERAGE:
        return notional / check_leverage(leverage), False
    if mode == CalcMode.CFDINDEX:
        return notional * _tick_factor(spec), False
    if mode in BOND_MODES:
        return notional * spec.face_value / 100.0, False
    raise UnsupportedCalcModeError(spec.name, mode)


def margin_in_currency(
    spec: ContractSpec,
    account: AccountTerms,
    order_type: int,
    volume: float,
    price: float,
    *,
    maintenance: bool = False,
) -> tuple[float, str]:
    """Margin of ``volume`` lots before conversion: ``(amount, currency)``.

    Args:
        maintenance: use ``margin_maintenance`` (when non-zero) and the maintenance rates.

    Raises:
        ValueError: negative/non-finite volume or price, order type outside 0..7, leverage
            below 1 in a leveraged mode, tick_size <= 0 in a tick-valued mode.
        UnsupportedCalcModeError: unknown calc mode.
    """
    buy = is_buy(order_type)
    lots = check_volume(volume)
    price = check_price(price)
    fixed = spec.margin_initial
    if maintenance and spec.margin_maintenance:
        fixed = spec.margin_maintenance
    per_lot, in_margin_ccy = _per_lot(spec, account.leverage, buy, price, fixed)
    rate = margin_rate(spec, order_type, maintenance=maintenance)
    currency = margin_currency(spec) if in_margin_ccy else spec.currency_profit
    return lots * per_lot * rate, currency


def margin(  # noqa: PLR0917 - order_calc_margin order, then the market context
    spec: ContractSpec,
    account: AccountTerms,
    order_type: int,
    volume: float,
    price: float,
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    maintenance: bool = False,
) -> float:
    """Margin of ``volume`` lots of ``spec`` at ``price`` in the deposit currency.

    This is ``order_calc_margin(order_type, symbol, volume, price)``: full precision.

    Raises:
        ValueError: see ``margin_in_currency``.
        UnsupportedCalcModeError: unknown calc mode.
        ConversionError: the margin currency cannot be converted into the deposit currency.
    """
    amount, currency = margin_in_currency(
        spec, account, order_type, volume, price, maintenance=maintenance
    )
    if amount == 0.0:
        return 0.0
    return convert(
        amount,
        currency,
        account.currency,
        index,
        quotes,
        order_type=order_type,
        symbol_price=(spec.name, abs(price)),
    )
