"""Account block records: cmd 3 response and push 14 (spec 3.3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..codec import (
    FieldType,
    WireRecord,
    array,
    f64,
    i8,
    i32,
    string,
    u8,
    u16,
    u32,
    u64,
    wire_record,
)
from ..valid import Valid
from .domains import DIGITS

__all__ = [
    "AccountHeader",
    "TradeSettings",
    "LeverageRule",
    "LeverageTier",
    "Commission",
    "CommissionTier",
    "INT32_UNSET",
    "UINT32_UNSET",
    "DOUBLE_UNSET",
    "UINT64_UNSET",
    "NEUTRAL_TRADE_SETTINGS",
]

#: spec 3.3.2: sentinel values meaning "not set" in an account trade-settings entry.
INT32_UNSET = 2147483647
UINT32_UNSET = 4294967295
DOUBLE_UNSET = 1.7976931348623157e308
UINT64_UNSET = 18446744073709551615


@wire_record
@dataclass(frozen=True, slots=True)
class AccountHeader(WireRecord):
    """Account main header, 816 bytes (spec 3.3.1)."""

    VALID: ClassVar[Mapping[str, Valid]] = {"currency_digits": DIGITS}

    account_type: int = u8()
    rights: int = i32()
    permissions_flags: int = i32()
    balance: float = f64()
    credit: float = f64()
    currency: str = string(64)
    currency_digits: int = u32()
    leverage: int = u32()
    name: str = string(256)
    server_build: int = u16()
    server_name: str = string(128)
    company: str = string(256)
    timezone_shift: int = i32()
    daylight_mode: int = i8()
    margin_mode: int = u32()
    margin_free_mode: int = u32()
    margin_so_call: float = f64()
    margin_so_so: float = f64()
    margin_so_mode: int = u32()
    margin_virtual: float = f64()
    margin_free_profit_mode: int = u32()
    acc_profit: float = f64()
    commission_daily: float = f64()
    commission_monthly: float = f64()
    password_min: int = u32()
    otp_status: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class TradeSettings(WireRecord):
    """Trade-settings record, 628 bytes (spec 3.3.2); also nested in full symbols."""

    symbol_path: str = string(256)
    spread_diff: int = i32()
    spread_diff_balance: int = i32()
    trade_mode: int = u32()
    stops_level: int = i32()
    freeze_level: int = i32()
    exemode: int = u32()
    fill_flags: int = u32()
    time_flags: int = u32()
    order_flags: int = u32()
    request_flags: int = u32()
    request_timeout: int = u32()
    instant_flags: int = u32()
    instant_timeout: int = u32()
    instant_slip_profit: int = u32()
    instant_slip_losing: int = u32()
    instant_volume: int = u64()
    instant_checkmode: int = u32()
    market_flags: int = u32()
    exchange_flags: int = u32()
    volume_min: int = u64()
    volume_max: int = u64()
    volume_step: int = u64()
    volume_limit: int = u64()
    margin_flags: int = u32()
    margin_initial: float = f64()
    margin_maintenance: float = f64()
    margin_rates_initial: tuple[float, ...] = array(FieldType.F64, 8)
    margin_rates_maintenance: tuple[float, ...] = array(FieldType.F64, 8)
    margin_rate_liquidity: float = f64()
    margin_hedged: float = f64()
    margin_rate_currency: float = f64()
    swap_mode: int = u32()
    swap_long: float = f64()
    swap_short: float = f64()
    swap_rollover3days: int = i32()
    permissions_flags: int = u32()
    permissions_bookdepth: int = u32()
    swap_rates: tuple[float, ...] = array(FieldType.F64, 7)


#: spec 3.3 / 7.4: an account entry for mask "*" that overrides nothing (all sentinels).
NEUTRAL_TRADE_SETTINGS = TradeSettings(
    symbol_path="*",
    spread_diff=INT32_UNSET,
    spread_diff_balance=INT32_UNSET,
    trade_mode=UINT32_UNSET,
    stops_level=INT32_UNSET,
    freeze_level=INT32_UNSET,
    exemode=UINT32_UNSET,
    fill_flags=UINT32_UNSET,
    time_flags=UINT32_UNSET,
    order_flags=UINT32_UNSET,
    request_flags=UINT32_UNSET,
    request_timeout=UINT32_UNSET,
    instant_flags=UINT32_UNSET,
    instant_timeout=UINT32_UNSET,
    instant_slip_profit=UINT32_UNSET,
    instant_slip_losing=UINT32_UNSET,
    instant_volume=UINT64_UNSET,
    instant_checkmode=UINT32_UNSET,
    market_flags=UINT32_UNSET,
    exchange_flags=UINT32_UNSET,
    volume_min=UINT64_UNSET,
    volume_max=UINT64_UNSET,
    volume_step=UINT64_UNSET,
    volume_limit=UINT64_UNSET,
    margin_flags=UINT32_UNSET,
    margin_initial=DOUBLE_UNSET,
    margin_maintenance=DOUBLE_UNSET,
    margin_rates_initial=(DOUBLE_UNSET,) * 8,
    margin_rates_maintenance=(DOUBLE_UNSET,) * 8,
    margin_rate_liquidity=DOUBLE_UNSET,
    margin_hedged=DOUBLE_UNSET,
    margin_rate_currency=DOUBLE_UNSET,
    swap_mode=UINT32_UNSET,
    swap_long=DOUBLE_UNSET,
    swap_short=DOUBLE_UNSET,
    swap_rollover3days=INT32_UNSET,
    permissions_flags=UINT32_UNSET,
    permissions_bookdepth=UINT32_UNSET,
    swap_rates=(DOUBLE_UNSET,) * 7,
)


@wire_record
@dataclass(frozen=True, slots=True)
class LeverageRule(WireRecord):
    """Floating-leverage rule, 300 bytes; ``tier_count`` tiers follow (spec 3.3.3)."""

    path: str = string(256)
    range_mode: int = u32()
    range_currency: str = string(32)
    range_currency_digits: int = u32()
    tier_count: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class LeverageTier(WireRecord):
    """Floating-leverage tier, 32 bytes (spec 3.3.3)."""

    range_from: float = f64()
    range_to: float = f64()
    margin_rate_initial: float = f64()
    margin_rate_maintenance: float = f64()


@wire_record
@dataclass(frozen=True, slots=True)
class Commission(WireRecord):
    """Commission rule, 304 bytes; a u32 tier count and tiers follow (spec 3.3.4)."""

    path: str = string(256)
    mode: int = u32()
    mode_range: int = u32()
    mode_charge: int = u32()
    mode_currency: str = string(32)
    mode_entry: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class CommissionTier(WireRecord):
    """Commission tier, 80 bytes (spec 3.3.4)."""

    mode: int = u32()
    type: int = u32()
    value: float = f64()
    range_from: float = f64()
    range_to: float = f64()
    minimal: float = f64()
    maximal: float = f64()
    currency: str = string(32)
