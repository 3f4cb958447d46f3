"""Account state computed from balance, positions and quotes: equity, margin, free margin,
margin level, margin call and stop-out (spec 4.9; the server sends none of these).

``equity = balance + credit + floating + assets + liabilities + acc_commission`` where
``floating`` sums every position's profit, swap and commission and ``acc_commission =
commission_daily + commission_monthly``; minus a positive ``acc_profit`` when
``margin_free_profit_mode`` is 3.

``margin_free = balance - margin + credit + assets + liabilities + acc_commission`` plus the
floating result according to ``margin_free_mode`` (0 none, 1 all, 2 only a net gain, 3 only a
net loss), with the same ``acc_profit`` rule.

``margin_level = equity / margin_maintenance * 100`` (the Web Terminal divides by the
maintenance margin; it equals ``margin`` unless maintenance terms are set), 0 without margin.

All values are full precision; round with ``round_money`` for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from MetaTrader5.trademath.conversion import QuoteLookup, SymbolIndex
from MetaTrader5.trademath.errors import UnknownSymbolError
from MetaTrader5.trademath.hedging import account_margin
from MetaTrader5.trademath.profit import position_profit
from MetaTrader5.trademath.specs import AccountTerms, ContractSpec, Position

__all__ = [
    "AccountSnapshot",
    "floating_profit",
    "account_snapshot",
    "is_margin_call",
    "is_stop_out",
]

_STOPOUT_MONEY = 1  # ACCOUNT_STOPOUT_MODE_MONEY
_FREE_NONE, _FREE_ALL, _FREE_PROFIT, _FREE_LOSS = 0, 1, 2, 3
_PROFIT_MODE_SUBTRACT = 3  # margin_free_profit_mode subtracting acc_profit (spec 4.9)


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The computed fields of ``account_info()``, in the deposit currency, unrounded."""

    balance: float
    credit: float
    #: Floating result of all positions: profit + swap + commission.
    profit: float
    equity: float
    #: Margin of open positions (initial terms).
    margin: float
    margin_free: float
    #: Percent; 0.0 when there is no margin.
    margin_level: float
    #: Margin reserved for pending orders: always 0.0 here (not margined).
    margin_initial: float
    #: Margin of open positions with the maintenance terms.
    margin_maintenance: float
    assets: float
    liabilities: float


def floating_profit(
    positions: Iterable[Position],
    specs: Mapping[str, ContractSpec],
    account_currency: str,
    index: SymbolIndex,
    quotes: QuoteLookup,
) -> float:
    """Sum of profit + swap + commission of ``positions`` at the current quotes.

    Raises:
        UnknownSymbolError: a position's symbol is not in ``specs``.
        MissingQuoteError, ConversionError, ValueError: as ``position_profit``.
    """
    total = 0.0
    for position in positions:
        spec = specs.get(position.symbol)
        if spec is None:
            raise UnknownSymbolError(position.symbol)
        total += position_profit(spec, position, account_currency, index, quotes)
        total += position.swap + position.commission
    return total


def _free_margin_floating(floating: float, mode: int) -> float:
    if mode == _FREE_NONE:
        return 0.0
    if mode == _FREE_PROFIT:
        return max(floating, 0.0)
    if mode == _FREE_LOSS:
        return min(floating, 0.0)
    return floating  # _FREE_ALL and unknown modes: the usual retail behaviour


def account_snapshot(  # noqa: PLR0917 - positional like the other trademath entry points
    balance: float,
    credit: float,
    positions: Iterable[Position],
    specs: Mapping[str, ContractSpec],
    terms: AccountTerms,
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    assets: float = 0.0,
    liabilities: float = 0.0,
    commission_daily: float = 0.0,
    commission_monthly: float = 0.0,
    acc_profit: float = 0.0,
) -> AccountSnapshot:
    """Compute equity, margin, free margin and margin level of an account (spec 4.9).

    Args:
        commission_daily, commission_monthly, acc_profit: the account header fields of spec
            3.3.1, as sent (accrued commissions are added as they are).

    Raises:
        UnknownSymbolError, MissingQuoteError, ConversionError, UnsupportedCalcModeError,
        ValueError: from the profit and margin of the positions.
    """
    held = list(positions)
    floating = floating_profit(held, specs, terms.currency, index, quotes)
    used = account_margin(held, specs, terms, index, quotes)
    maintenance = account_margin(held, specs, terms, index, quotes, maintenance=True)
    base = balance + credit + assets + liabilities + commission_daily + commission_monthly
    if terms.margin_free_profit_mode == _PROFIT_MODE_SUBTRACT and acc_profit > 0:
        base -= acc_profit
    equity = base + floating
    free = base - used + _free_margin_floating(floating, terms.margin_free_mode)
    level = equity / maintenance * 100.0 if maintenance > 0 else 0.0
    return AccountSnapshot(
        balance=balance,
        credit=credit,
        profit=floating,
        equity=equity,
        margin=used,
        margin_free=free,
        margin_level=level,
        margin_initial=0.0,
        margin_maintenance=maintenance,
        assets=assets,
        liabilities=liabilities,
    )


def _at_or_below(snapshot: AccountSnapshot, terms: AccountTerms, level: float) -> bool:
    if snapshot.margin_maintenance <= 0:
        return False  # nothing to close: no margin call or stop-out without positions
    if terms.margin_so_mode == _STOPOUT_MONEY:
        return snapshot.equity <= level
    return snapshot.margin_level <= level


def is_margin_call(snapshot: AccountSnapshot, terms: AccountTerms) -> bool:
    """True when the margin level (percent mode) or equity (money mode) is at or below
    ``terms.margin_so_call`` while margin is in use."""
    return _at_or_below(snapshot, terms, terms.margin_so_call)


def is_stop_out(snapshot: AccountSnapshot, terms: AccountTerms) -> bool:
    """True when the margin level (percent mode) or equity (money mode) is at or below
    ``terms.margin_so_so`` while margin is in use: the server must close positions."""
    return _at_or_below(snapshot, terms, terms.margin_so_so)
