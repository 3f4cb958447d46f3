"""Symbol records: groups 9, list 6/34, full specs 18 and push 13 (spec 3.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..codec import (
    FieldType,
    WireRecord,
    array,
    f64,
    i32,
    nested,
    string,
    u8,
    u16,
    u32,
    wire_record,
)
from ..valid import Valid
from .account import TradeSettings
from .domains import CHART_MODE, DIGITS, GTC_MODE, SECONDS, finite

__all__ = ["SymbolGroup", "SymbolRecord", "Subscription", "FullSymbol", "SCHEDULE_UNITS"]

#: spec 3.4.4: 7 days x 16 sessions x (start, end), for quotes then trades.
SCHEDULE_UNITS = 2 * 7 * 16 * 2


@wire_record
@dataclass(frozen=True, slots=True)
class SymbolGroup(WireRecord):
    """One symbol group path, str[256] (spec 3.4.1)."""

    path: str = string(256)


@wire_record
@dataclass(frozen=True, slots=True)
class SymbolRecord(WireRecord):
    """Symbol list entry, 526 bytes (spec 3.4.2)."""

    VALID: ClassVar[Mapping[str, Valid]] = {"digits": DIGITS}

    trade_symbol: str = string(64)
    description: str = string(128)
    digits: int = u32()
    symbol_id: int = u32()
    path: str = string(256)
    trade_calc_mode: int = u32()
    basis: str = string(64)
    sector: int = u16()


@wire_record
@dataclass(frozen=True, slots=True)
class Subscription(WireRecord):
    """Market-data subscription block, 8 bytes (spec 3.4.5)."""

    delay: int = u32()
    status: int = u8()
    level: int = u8()
    reserved: int = u16()


@wire_record
@dataclass(frozen=True, slots=True)
class FullSymbol(WireRecord):
    """Full symbol specification, 3068 bytes (spec 3.4.3).

    ``schedule`` holds 448 u16: 7 days x 16 quote sessions (start, end minutes), then the same
    for trade sessions, Sunday first (spec 3.4.4); see ``messages.symbols.schedule_sessions``.
    """

    VALID: ClassVar[Mapping[str, Valid]] = {
        "currency_base_digits": DIGITS, "currency_profit_digits": DIGITS,
        "currency_margin_digits": DIGITS, "digits": DIGITS, "ticks_chart_mode": CHART_MODE,
        "gtc_mode": GTC_MODE, "time_start": SECONDS, "time_expiration": SECONDS,
        **finite("point", "tick_value", "tick_size", "contract_size"),
    }  # fmt: skip

    trade_symbol: str = string(64)
    isin: str = string(32)
    description: str = string(128)
    international: str = string(128)
    basis: str = string(64)
    source: str = string(64)
    page: str = string(512)
    category: str = string(128)
    exchange: str = string(128)
    cfi: str = string(16)
    sector: int = u16()
    industry: int = u16()
    country: str = string(8)
    currency_base: str = string(32)
    currency_profit: str = string(32)
    currency_margin: str = string(32)
    currency_base_digits: int = u32()
    currency_profit_digits: int = u32()
    currency_margin_digits: int = u32()
    color: int = u32()
    color_background: int = u32()
    digits: int = u32()
    point: float = f64()
    multiply: float = f64()
    symbol_id: int = u32()
    ticks_flags: int = u32()
    ticks_bookdepth: int = u32()
    ticks_chart_mode: int = u32()
    trade_flags: int = u32()
    spread: int = i32()
    spread_balance: int = i32()
    tick_value: float = f64()
    tick_size: float = f64()
    contract_size: float = f64()
    gtc_mode: int = u32()
    calc_mode: int = u32()
    price_settle: float = f64()
    price_limit_min: float = f64()
    price_limit_max: float = f64()
    price_strike: float = f64()
    option_mode: int = u32()
    face_value: float = f64()
    accrued_interest: float = f64()
    time_flags: int = u32()
    time_start: int = i32()
    time_expiration: int = i32()
    trade: TradeSettings = nested(TradeSettings)  # noqa: RUF009 (immutable record)
    schedule: tuple[int, ...] = array(FieldType.U16, SCHEDULE_UNITS)
    subscription: Subscription = nested(Subscription)  # noqa: RUF009 (immutable record)
