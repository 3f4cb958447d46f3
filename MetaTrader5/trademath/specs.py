"""Inputs of the trade math: a symbol's contract terms and an account's margin terms.

Both the simulated server (from its catalogue) and the client (from full-symbol records,
spec section 3.4.3, with the account's trade-settings overrides applied) build these, so the
margin and profit they compute can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["NO_RATES", "AccountTerms", "ContractSpec", "Position"]

#: Margin-rate multipliers indexed by ORDER_TYPE 0..7 (spec 3.3.2 margin_rates_*): all 1.0.
NO_RATES: tuple[float, ...] = (1.0,) * 8


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """What margin and profit formulas need to know about one symbol."""

    name: str
    calc_mode: int  # SYMBOL_CALC_MODE_* (wire values, spec 4.6)
    digits: int
    contract_size: float
    tick_size: float
    #: Value of a one-tick_size move of one lot in the *profit currency* (the raw symbol
    #: setting of spec 3.4.3; the terminal's symbol_info converts it to the deposit currency).
    tick_value: float
    currency_base: str
    currency_profit: str
    currency_margin: str
    #: Fixed initial margin per lot; 0 means "computed from the contract" (spec 3.3.2).
    margin_initial: float = 0.0
    margin_maintenance: float = 0.0
    #: Hedged margin per lot (contract units); used for opposite positions on hedging accounts.
    margin_hedged: float = 0.0
    #: Take only the larger leg of hedged positions (trade-settings margin_flags & 4).
    margin_hedged_use_leg: bool = False
    margin_rates_initial: tuple[float, ...] = NO_RATES
    margin_rates_maintenance: tuple[float, ...] = NO_RATES
    face_value: float = 0.0
    accrued_interest: float = 0.0
    price_settle: float = 0.0

    @property
    def point(self) -> float:
        return float(10.0**-self.digits)


@dataclass(frozen=True, slots=True)
class AccountTerms:
    """What margin and equity formulas need to know about one account."""

    currency: str
    leverage: int
    #: ACCOUNT_MARGIN_MODE_*: 0 retail netting, 1 exchange, 2 retail hedging.
    margin_mode: int = 2
    currency_digits: int = 2
    #: spec 4.9: 0 none, 1 all floating P/L, 2 only profit, 3 only loss counts into free margin.
    margin_free_mode: int = 1
    #: spec 4.9: with 3, a positive server ``acc_profit`` is subtracted from equity/free margin.
    margin_free_profit_mode: int = 0
    margin_so_mode: int = 0  # ACCOUNT_STOPOUT_MODE_*: 0 percent, 1 money
    margin_so_call: float = 100.0
    margin_so_so: float = 50.0
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Position:
    """An open position as the account math sees it (volume in lots, money in deposit currency)."""

    symbol: str
    type: int  # POSITION_TYPE_BUY 0, POSITION_TYPE_SELL 1
    volume: float
    price_open: float
    swap: float = 0.0
    commission: float = 0.0
