"""Market-data records: ticks 8, details 17, rates 11, book 23, spreads 20 (spec 3.5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..codec import WireRecord, f64, i32, i64, string, u8, u16, u32, u64, wire_record
from ..valid import Valid
from .domains import (
    BOOK_LEVEL_TYPE,
    DIGITS,
    MS_PART,
    SECONDS,
    TICK_FIELDS,
    VOLUME,
    VOLUME_U64,
    finite,
)

__all__ = [
    "IdCount",
    "SymbolId",
    "Tick",
    "SymbolDetails",
    "RatesRequest",
    "Bar",
    "BookHeader",
    "BookLevel",
    "SpreadHead",
    "SpreadLeg",
    "TradeServerState",
]


@wire_record
@dataclass(frozen=True, slots=True)
class SymbolId(WireRecord):
    """One element of an "id list" (spec 3.1): u32 symbol id."""

    symbol_id: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class IdCount(WireRecord):
    """A lone u32 (id-list count, push 15 state, notify value, trade response word)."""

    value: int = u32()


#: push 15 body (spec 3.7.3): u32, 0 = connected to the trade server.
TradeServerState = IdCount


@wire_record
@dataclass(frozen=True, slots=True)
class Tick(WireRecord):
    """Tick push record, 50 bytes; prices scaled by 10^digits (spec 3.5.1)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "time": SECONDS, "fields": TICK_FIELDS, "volume": VOLUME, "time_ms": MS_PART,
        **finite("bid", "ask", "last"),
    }  # fmt: skip

    symbol_id: int = u32()
    time: int = i32()
    fields: int = u32()
    bid: float = f64()
    ask: float = f64()
    last: float = f64()
    volume: int = i64()
    time_ms: int = u32()
    flags: int = u16()


@wire_record
@dataclass(frozen=True, slots=True)
class SymbolDetails(WireRecord):
    """Symbol details push record, 274 bytes; prices scaled by 10^digits (spec 3.5.2)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "lasttime": SECONDS, "digits": DIGITS, "vol_last": VOLUME, "vol_high": VOLUME,
        "vol_low": VOLUME, "trade_volume": VOLUME_U64, "trade_buy_volume": VOLUME,
        "trade_sell_volume": VOLUME,
        **finite("bid_last", "bid_high", "bid_low", "ask_last", "ask_high", "ask_low",
                 "last_last", "last_high", "last_low", "price_open", "price_close", "price_aw",
                 "price_theoretical"),
    }  # fmt: skip

    symbol_id: int = u32()
    fields: int = i64()
    lasttime: int = i32()
    digits: int = u32()
    bid_last: float = f64()
    bid_high: float = f64()
    bid_low: float = f64()
    ask_last: float = f64()
    ask_high: float = f64()
    ask_low: float = f64()
    last_last: float = f64()
    last_high: float = f64()
    last_low: float = f64()
    vol_last: int = i64()
    vol_high: int = i64()
    vol_low: int = i64()
    trade_deals: int = u32()
    trade_volume: int = u64()
    trade_turnover: int = u32()
    trade_interest: int = u32()
    trade_buy_orders: int = u32()
    trade_buy_volume: int = i64()
    trade_sell_orders: int = u32()
    trade_sell_volume: int = i64()
    price_open: float = f64()
    price_close: float = f64()
    price_aw: float = f64()
    price_change: float = f64()
    price_volatility: float = f64()
    price_theoretical: float = f64()
    lasttime_msc: int = i64()
    greeks_delta: int = i64()
    greeks_theta: int = i64()
    greeks_gamma: int = i64()
    greeks_vega: int = i64()
    greeks_rho: int = i64()
    greeks_omega: int = i64()
    sensitivity: int = i64()
    flags: int = u16()


@wire_record
@dataclass(frozen=True, slots=True)
class RatesRequest(WireRecord):
    """cmd 11 request, 74 bytes; bounds in seconds, inclusive [INF] (spec 3.5.3)."""

    VALID: ClassVar[Mapping[str, Valid]] = {"time_from": SECONDS, "time_to": SECONDS}

    symbol: str = string(64)
    period: int = u16()
    time_from: int = i32()
    time_to: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class Bar(WireRecord):
    """cmd 11 response record, 48 bytes; plain prices (spec 3.5.3)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "time": SECONDS, **finite("open", "high", "low", "close"),
    }  # fmt: skip

    time: int = i32()
    open: float = f64()
    high: float = f64()
    low: float = f64()
    close: float = f64()
    tick_volume: int = u32()
    real_volume: float = f64()


@wire_record
@dataclass(frozen=True, slots=True)
class BookHeader(WireRecord):
    """Book push entry header, 22 bytes (spec 3.5.4)."""

    VALID: ClassVar[Mapping[str, Valid]] = {"books_time": SECONDS}

    symbol_id: int = u32()
    books_time: int = i32()
    time_msc: int = i32()
    flag_mask: int = u32()
    books_flags: int = u32()
    level_count: int = u16()


@wire_record
@dataclass(frozen=True, slots=True)
class BookLevel(WireRecord):
    """Book level, 21 bytes; price is an integer x 10^digits (spec 3.5.4). ``volume`` is a
    delta (spec 3.5.4: added to the level), so it may be negative and is not checked."""

    VALID: ClassVar[Mapping[str, Valid]] = {"type": BOOK_LEVEL_TYPE}

    flag_mask: int = u32()
    type: int = u8()
    price: int = i64()
    volume: int = i64()


@wire_record
@dataclass(frozen=True, slots=True)
class SpreadHead(WireRecord):
    """Margin-spread entry head, 28 bytes (spec 3.5.5)."""

    spread_id: int = u32()
    flag_mask: int = u32()
    margin_initial: float = f64()
    margin_maintenance: float = f64()
    margin_type: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class SpreadLeg(WireRecord):
    """Margin-spread leg, 88 bytes (spec 3.5.5)."""

    spread_mode: int = u32()
    flag_mask: int = u32()
    trade_symbol: str = string(64)
    time_from: int = u32()
    time_to: int = u32()
    ratio: float = f64()
