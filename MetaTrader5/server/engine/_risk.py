"""Account figures the engine's checks need, computed by the shared trade math (spec 4.9).

Equity, margin, free margin, margin level and stop-out come from ``trademath`` exactly as
the client computes ``account_info()``, so a request the client's ``order_check`` accepts is
not refused for money here, and a stop-out happens at the level the client shows.

Entry commissions are booked into the balance by the IN deal, so positions carry none
(``Desk`` leaves ``Position.commission`` at 0) and trademath does not count them twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from MetaTrader5.server.accounts import Account
from MetaTrader5.server.engine._money import Pricing, math_position
from MetaTrader5.server.ledger import Position
from MetaTrader5.trademath import AccountSnapshot, account_margin, account_snapshot, round_money
from MetaTrader5.trademath import Position as MathPosition
from MetaTrader5.trademath import position_profit as math_position_profit

__all__ = [
    "AccountState",
    "account_state",
    "free_margin_after",
    "position_profit",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class AccountState:
    """Money figures of an account at the current quotes (account currency, rounded)."""

    balance: float
    credit: float
    profit: float
    equity: float
    margin: float
    margin_free: float
    margin_level: float  # percent of the maintenance margin; 0.0 when there is no margin


def snapshot(
    pricing: Pricing, account: Account, positions: Iterable[MathPosition]
) -> AccountSnapshot:
    """trademath's full-precision account figures for ``positions`` (spec 4.9).

    Raises:
        TradeMathError: a position's symbol is unknown, unquoted, or cannot be converted.
    """
    held = list(positions)
    specs = pricing.contracts(p.symbol for p in held)
    return account_snapshot(
        account.balance, account.credit, held, specs, account.terms(), pricing.index,
        pricing.quotes, commission_daily=account.commission_daily,
        commission_monthly=account.commission_monthly,
    )


def account_state(
    pricing: Pricing, account: Account, positions: Iterable[Position]
) -> AccountState:
    """The rounded figures of ``account`` holding ``positions``.

    Raises:
        TradeMathError: as ``snapshot``.
    """
    snap = snapshot(pricing, account, (math_position(p) for p in positions))
    digits = account.currency_digits
    return AccountState(
        balance=account.balance, credit=account.credit,
        profit=round_money(snap.profit, digits), equity=round_money(snap.equity, digits),
        margin=round_money(snap.margin, digits),
        margin_free=round_money(snap.margin_free, digits),
        margin_level=round_money(snap.margin_level, 2),
    )


def free_margin_after(
    pricing: Pricing, account: Account, positions: Iterable[Position], extra: MathPosition
) -> float:
    """Free margin once ``extra`` joins ``positions``, full precision (spec 4.9).

    The new exposure changes the margin by what trademath's hedging/netting rules charge for
    the whole symbol afterwards; its own floating result (the spread) is not anticipated, as
    the official ``order_check`` reports ``margin_free`` = free margin - additional margin.

    Raises:
        TradeMathError: as ``snapshot``, or the new symbol's margin cannot be converted.
    """
    held = [math_position(p) for p in positions]
    before = snapshot(pricing, account, held)
    after = [*held, extra]
    specs = pricing.contracts(p.symbol for p in after)
    used = account_margin(after, specs, account.terms(), pricing.index, pricing.quotes)
    return before.margin_free - (used - before.margin)


def position_profit(pricing: Pricing, account: Account, position: Position) -> float:
    """Floating profit of ``position`` at the current close price, rounded (no swap).

    Raises:
        TradeMathError: the symbol is unknown, unquoted, or its profit cannot be converted.
    """
    value = math_position_profit(
        pricing.contract(position.symbol), math_position(position), account.currency,
        pricing.index, pricing.quotes,
    )
    return round_money(value, account.currency_digits)
