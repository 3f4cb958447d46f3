"""Account figures the engine's checks need: floating profit, margin, equity, free margin, level.

Formulas as spec 4.9 describes the official client (margin_free_mode 1: all floating P/L):
equity = balance + credit + floating profit + swaps; free margin = equity - margin;
margin level = equity / margin x 100. Margin is charged on open positions only (retail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from MetaTrader5.server.accounts import Account
from MetaTrader5.server.engine._math import _Math
from MetaTrader5.server.engine.types import MarketView
from MetaTrader5.server.ledger import Position, lots

__all__ = ["AccountState", "Leg", "account_state", "legs_of", "margin_of", "position_profit"]

#: One exposure for the margin sum: (symbol, position type, volume units, price).
Leg = tuple[str, int, int, float]


@dataclass(frozen=True, slots=True)
class AccountState:
    """Money figures of an account at the current quotes (account currency)."""

    balance: float
    credit: float
    profit: float
    equity: float
    margin: float
    margin_free: float
    margin_level: float  # 0.0 when there is no margin


def position_profit(
    math: _Math, market: MarketView, account: Account, position: Position
) -> float:
    """Floating profit of a position at the current close price (bid for buys, ask for sells)."""
    spec = market.spec(position.symbol)
    quote = market.quote(position.symbol)
    if spec is None:
        return position.profit
    close = position.price_current
    if quote is not None:
        close = quote[0] if position.type == 0 else quote[1]
    value = math.profit(
        spec, account.currency, position.type, volume=lots(position.volume),
        price_open=position.price_open, price_close=close,
    )
    return round(value, account.currency_digits)


def margin_of(math: _Math, market: MarketView, account: Account, legs: Iterable[Leg]) -> float:
    """Margin of a set of exposures; hedged volume per symbol is charged at margin_hedged."""
    by_symbol: dict[str, list[Leg]] = {}
    for leg in legs:
        by_symbol.setdefault(leg[0], []).append(leg)
    total = 0.0
    for symbol, items in by_symbol.items():
        spec = market.spec(symbol)
        if spec is None:
            continue
        side_margin = [0.0, 0.0]
        side_volume = [0, 0]
        for _, ptype, volume, price in items:
            side_margin[ptype] += math.margin(
                spec, account.currency, account.leverage, ptype, volume=lots(volume), price=price
            )
            side_volume[ptype] += volume
        hedged = min(side_volume)
        if not account.hedging or hedged == 0:
            total += sum(side_margin)
            continue
        con = spec.contract
        if con.margin_hedged_use_leg:
            total += max(side_margin)
            continue
        # Hedged volume is charged at margin_hedged / contract_size of its normal margin.
        ratio = con.margin_hedged / con.contract_size if con.contract_size else 0.0
        full = sum(side_margin)
        hedged_part = sum(side_margin[s] * hedged / side_volume[s] for s in (0, 1))
        total += full - hedged_part * (1.0 - ratio)
    return round(total, account.currency_digits)


def legs_of(positions: Iterable[Position]) -> list[Leg]:
    return [(p.symbol, p.type, p.volume, p.price_open) for p in positions]


def account_state(
    math: _Math, market: MarketView, account: Account, positions: Iterable[Position],
    legs: list[Leg] | None = None,
) -> AccountState:
    """Figures of ``account`` with ``positions`` (margin from ``legs`` when given)."""
    items = list(positions)
    floating = sum(position_profit(math, market, account, p) + p.swap for p in items)
    margin = margin_of(math, market, account, legs if legs is not None else legs_of(items))
    digits = account.currency_digits
    equity = round(account.balance + account.credit + floating, digits)
    level = round(equity / margin * 100.0, 2) if margin > 0 else 0.0
    return AccountState(
        balance=account.balance, credit=account.credit, profit=round(floating, digits),
        equity=equity, margin=margin, margin_free=round(equity - margin, digits),
        margin_level=level,
    )
