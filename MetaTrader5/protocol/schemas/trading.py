"""Trading records: positions/orders 4, history 5, trade request 12, pushes 10 and 19
(spec 3.6, 3.7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..assumptions import TRADE_REQUEST_SHORT_IS_ZERO_FILLED, TRADE_REQUEST_SIZE
from ..codec import (
    WireRecord,
    f64,
    i32,
    i64,
    nested,
    string,
    u32,
    u64,
    wire_record,
    wire_record_zero_filled,
)
from ..valid import Valid
from .domains import (
    DEAL_ENTRY,
    DEAL_TYPE,
    DIGITS,
    MS_PART,
    ORDER_FILLING,
    ORDER_STATE,
    ORDER_TIME,
    ORDER_TYPE,
    POSITION_TYPE,
    SECONDS,
    TRADE_ACTION,
    VOLUME,
    VOLUME_U64,
    finite,
)

__all__ = [
    "Position",
    "Order",
    "Deal",
    "HistoryRequest",
    "TradeRequest",
    "TradeResponse",
    "TradeResult",
    "TradeResultPush",
    "OrderTransaction",
    "DealTransactionHead",
]


@wire_record
@dataclass(frozen=True, slots=True)
class Position(WireRecord):
    """Position record, 344 bytes (spec 3.6.1)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "type": POSITION_TYPE, "volume": VOLUME_U64, "digits": DIGITS,
        "digits_currency": DIGITS, "time_create_ms": MS_PART, "time_update_ms": MS_PART,
        **finite("price_open", "price_current", "sl", "tp"),
    }  # fmt: skip

    position_id: int = i64()
    trade_order: int = i64()
    time_create: int = u32()
    time_update: int = u32()
    trade_symbol: str = string(64)
    type: int = u32()
    price_open: float = f64()
    price_current: float = f64()
    sl: float = f64()
    tp: float = f64()
    volume: int = u64()
    profit: float = f64()
    rate_profit: float = f64()
    rate_margin: float = f64()
    commission: float = f64()
    swap: float = f64()
    magic: int = i64()
    expert_position_id: int = i64()
    comment: str = string(64)
    contract_size: float = f64()
    digits: int = u32()
    digits_currency: int = u32()
    reason: int = u32()
    external_id: str = string(64)
    time_create_ms: int = i32()
    time_update_ms: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class Order(WireRecord):
    """Order record (open and history), 356 bytes (spec 3.6.1)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "type": ORDER_TYPE, "type_filling": ORDER_FILLING, "type_time": ORDER_TIME,
        "state": ORDER_STATE, "volume_initial": VOLUME, "volume_current": VOLUME,
        "digits": DIGITS, "digits_currency": DIGITS, "time_setup_ms": MS_PART,
        "time_done_ms": MS_PART,
        **finite("price_order", "price_trigger", "price_current", "sl", "tp"),
    }  # fmt: skip

    ticket: int = i64()
    external_id: str = string(64)
    trade_symbol: str = string(64)
    time_setup: int = u32()
    time_expiration: int = u32()
    time_done: int = u32()
    type: int = u32()
    type_filling: int = u32()
    type_time: int = u32()
    reason: int = u32()
    price_order: float = f64()
    price_trigger: float = f64()
    price_current: float = f64()
    sl: float = f64()
    tp: float = f64()
    volume_initial: int = i64()
    volume_current: int = i64()
    state: int = u32()
    magic: int = i64()
    position_id: int = i64()
    comment: str = string(64)
    contract_size: float = f64()
    digits: int = u32()
    digits_currency: int = u32()
    commission_daily: float = f64()
    commission_monthly: float = f64()
    margin_rate: float = f64()
    activation_mode: int = u32()
    time_setup_ms: int = i32()
    time_done_ms: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class Deal(WireRecord):
    """Deal record, 356 bytes (spec 3.6.2)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "type": DEAL_TYPE, "entry": DEAL_ENTRY, "volume": VOLUME_U64, "digits": DIGITS,
        "digits_currency": DIGITS, "time_create_ms": MS_PART, "time_update_ms": MS_PART,
        **finite("price", "price_close", "sl", "tp"),
    }  # fmt: skip

    ticket: int = i64()
    external_id: str = string(64)
    order: int = i64()
    time_create: int = u32()
    time_update: int = u32()
    trade_symbol: str = string(64)
    type: int = u32()
    entry: int = u32()
    price: float = f64()
    price_close: float = f64()
    sl: float = f64()
    tp: float = f64()
    volume: int = u64()
    profit: float = f64()
    rate_profit: float = f64()
    rate_margin: float = f64()
    commission: float = f64()
    swap: float = f64()
    magic: int = i64()
    position_id: int = i64()
    comment: str = string(64)
    contract_size: float = f64()
    digits: int = u32()
    digits_currency: int = u32()
    reason: int = u32()
    time_create_ms: int = i32()
    time_update_ms: int = i32()
    fee: float = f64()


@wire_record
@dataclass(frozen=True, slots=True)
class HistoryRequest(WireRecord):
    """cmd 5 request: i32 from, i32 to, seconds; 0 = open bound (spec 3.6.2)."""

    VALID: ClassVar[Mapping[str, Valid]] = {"time_from": SECONDS, "time_to": SECONDS}

    time_from: int = i32()
    time_to: int = i32()


_trade_request_decorator = (
    wire_record_zero_filled if TRADE_REQUEST_SHORT_IS_ZERO_FILLED else wire_record
)


@_trade_request_decorator
@dataclass(frozen=True, slots=True)
class TradeRequest(WireRecord):
    """cmd 12 request, 248 bytes (spec 3.7.1). Shorter bodies decode zero-filled."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "trade_action": TRADE_ACTION, "volume": VOLUME_U64, "digits": DIGITS,
        "type": ORDER_TYPE, "type_filling": ORDER_FILLING, "type_time": ORDER_TIME,
        **finite("price_order", "price_trigger", "sl", "tp", "price_top", "price_bottom"),
    }  # fmt: skip

    action_id: int = u32()
    trade_action: int = u32()
    trade_symbol: str = string(64)
    volume: int = u64()
    digits: int = u32()
    order: int = u64()
    type: int = u32()
    type_filling: int = u32()
    type_time: int = u32()
    type_flags: int = u32()
    type_reason: int = u32()
    price_order: float = f64()
    price_trigger: float = f64()
    sl: float = f64()
    tp: float = f64()
    deviation: int = u32()
    price_top: float = f64()
    price_bottom: float = f64()
    comment: str = string(64)
    position: int = u64()
    position_by: int = u64()
    expiration: int = u32()


if TradeRequest.SIZE != TRADE_REQUEST_SIZE:  # pragma: no cover - layout guard
    raise ImportError("TradeRequest layout does not match spec 3.7.1")


@wire_record
@dataclass(frozen=True, slots=True)
class TradeResponse(WireRecord):
    """cmd 12 response: u32, 0 = accepted (result via push 19), else a retcode (spec 3.7.1)."""

    retcode: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class TradeResult(WireRecord):
    """Result part of push 19, 128 bytes (spec 3.7.2)."""

    VALID: ClassVar[Mapping[str, Valid]] = {
        "volume": VOLUME, **finite("price", "bid", "ask", "last"),
    }  # fmt: skip

    retcode: int = u32()
    deal: int = i64()
    order: int = i64()
    volume: int = i64()
    price: float = f64()
    time: int = u32()
    bid: float = f64()
    ask: float = f64()
    last: float = f64()
    comment: str = string(64)


@wire_record
@dataclass(frozen=True, slots=True)
class TradeResultPush(WireRecord):
    """Push 19, 380 bytes: u32 (unknown) + request echo + result (spec 3.7.2).

    The JS reads the echo's ``order`` as i64 and ``expiration`` as raw bytes; we use the
    request layout (u64/u32), identical for every value a server issues.
    """

    action_result: int = u32()
    request: TradeRequest = nested(TradeRequest)  # noqa: RUF009 (immutable record)
    result: TradeResult = nested(TradeResult)  # noqa: RUF009 (immutable record)


@wire_record
@dataclass(frozen=True, slots=True)
class OrderTransaction(WireRecord):
    """Push 10 order record, 368 bytes (flag_mask != 2) (spec 3.6.3)."""

    flag_mask: int = u32()
    transaction_id: int = u32()
    transaction_type: int = u32()
    order: Order = nested(Order)  # noqa: RUF009 (immutable record)


@wire_record
@dataclass(frozen=True, slots=True)
class DealTransactionHead(WireRecord):
    """Fixed part of a push 10 deal record (flag_mask == 2), 752 bytes (spec 3.6.3)."""

    flag_mask: int = u32()
    transaction_id: int = u32()
    transaction_type: int = u32()
    deal: Deal = nested(Deal)  # noqa: RUF009 (immutable record)
    position: Position = nested(Position)  # noqa: RUF009 (immutable record)
    balance: float = f64()
    credit: float = f64()
    commission_daily: float = f64()
    commission_monthly: float = f64()
    acc_profit: float = f64()
