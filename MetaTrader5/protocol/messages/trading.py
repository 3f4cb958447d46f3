"""Trading bodies: positions/orders 4, history 5, trade request 12, pushes 10 and 19
(spec 3.6, 3.7)."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ..codec import Buffer, Reader, encode_counted
from ..exceptions import EncodeError
from ..schemas.trading import (
    Deal,
    DealTransactionHead,
    HistoryRequest,
    Order,
    OrderTransaction,
    Position,
    TradeRequest,
    TradeResultPush,
)
from .session import decode_u32, encode_u32

__all__ = [
    "PositionsAndOrders",
    "encode_positions_orders",
    "decode_positions_orders",
    "encode_history_request",
    "decode_history_request",
    "DealsAndOrders",
    "encode_history",
    "decode_history",
    "encode_trade_request",
    "decode_trade_request",
    "encode_trade_response",
    "decode_trade_response",
    "encode_trade_result",
    "decode_trade_result",
    "DealTransaction",
    "TradeUpdate",
    "encode_trade_update",
    "decode_trade_update",
    "DEAL_RECORDS_FLAG",
]

#: spec 3.6.3: first flag_mask value that makes the whole push 10 body deal records.
DEAL_RECORDS_FLAG = 2


@dataclass(frozen=True, slots=True)
class PositionsAndOrders:
    """cmd 4 response (spec 3.6.1)."""

    positions: tuple[Position, ...] = ()
    orders: tuple[Order, ...] = ()


def encode_positions_orders(positions: Sequence[Position], orders: Sequence[Order]) -> bytes:
    """cmd 4 response: u32 + positions, u32 + orders (spec 3.6.1)."""
    return encode_counted(positions) + encode_counted(orders)


def decode_positions_orders(body: Buffer) -> PositionsAndOrders:
    """cmd 4 response (spec 3.6.1); ``bulk.decode_positions_orders_arrays`` for numpy."""
    r = Reader(body, "cmd 4 positions/orders")
    positions = r.counted(Position, "positions")
    orders = r.counted(Order, "orders")
    r.finish()
    return PositionsAndOrders(positions, orders)


def encode_history_request(request: HistoryRequest) -> bytes:
    """cmd 5 request: i32 from, i32 to (spec 3.6.2)."""
    return request.encode()


def decode_history_request(payload: Buffer) -> HistoryRequest:
    """cmd 5 request (spec 3.6.2)."""
    return HistoryRequest.decode(payload)


@dataclass(frozen=True, slots=True)
class DealsAndOrders:
    """cmd 5 response (spec 3.6.2)."""

    deals: tuple[Deal, ...] = ()
    orders: tuple[Order, ...] = ()


def encode_history(deals: Sequence[Deal], orders: Sequence[Order]) -> bytes:
    """cmd 5 response: u32 + deals, u32 + history orders (spec 3.6.2)."""
    return encode_counted(deals) + encode_counted(orders)


def decode_history(body: Buffer) -> DealsAndOrders:
    """cmd 5 response (spec 3.6.2)."""
    r = Reader(body, "cmd 5 history")
    deals = r.counted(Deal, "deals")
    orders = r.counted(Order, "orders")
    r.finish()
    return DealsAndOrders(deals, orders)


def encode_trade_request(request: TradeRequest) -> bytes:
    """cmd 12 request, 248 bytes (spec 3.7.1)."""
    return request.encode()


def decode_trade_request(payload: Buffer) -> TradeRequest:
    """cmd 12 request; shorter bodies (236-byte clients) are zero-filled (assumptions)."""
    return TradeRequest.decode(payload)


def encode_trade_response(retcode: int) -> bytes:
    """cmd 12 response: u32, 0 = accepted, result follows as push 19 (spec 3.7.1)."""
    return encode_u32(retcode)


def decode_trade_response(body: Buffer) -> int:
    """cmd 12 response: first u32 of the body (spec 3.7.1)."""
    return decode_u32(body, "cmd 12 response")


def encode_trade_result(push: TradeResultPush) -> bytes:
    """Push 19, 380 bytes (spec 3.7.2)."""
    return push.encode()


def decode_trade_result(body: Buffer) -> TradeResultPush:
    """Push 19 (spec 3.7.2)."""
    return TradeResultPush.decode(body)


@dataclass(frozen=True, slots=True)
class DealTransaction:
    """A push 10 deal record: fixed head + extra deals + extra positions (spec 3.6.3)."""

    head: DealTransactionHead
    extra_deals: tuple[Deal, ...] = ()
    extra_positions: tuple[Position, ...] = ()


#: push 10 body: either all order records or all deal records (spec 3.6.3).
TradeUpdate = tuple[OrderTransaction, ...] | tuple[DealTransaction, ...]


def encode_trade_update(records: Sequence[OrderTransaction] | Sequence[DealTransaction]) -> bytes:
    """Push 10 body. All records must be of one kind; deal records get flag_mask 2 and order
    records must not use 2 (spec 3.6.3: the first flag_mask decides for the whole body)."""
    parts = []
    for rec in records:
        if isinstance(rec, DealTransaction):
            parts.append(rec.head.encode())
            parts.append(encode_counted(rec.extra_deals))
            parts.append(encode_counted(rec.extra_positions))
        else:
            parts.append(rec.encode())
    kinds = {isinstance(rec, DealTransaction) for rec in records}
    if len(kinds) > 1:
        raise EncodeError("push 10: order and deal records cannot share one message")
    return b"".join(parts)


def decode_trade_update(body: Buffer) -> TradeUpdate:
    """Push 10: records to the end of the body, kind chosen by the first u32 (spec 3.6.3)."""
    r = Reader(body, "push 10 trade update")
    if r.remaining >= 4 and struct.unpack_from("<I", body, 0)[0] == DEAL_RECORDS_FLAG:
        deals = []
        while r.remaining:
            head = r.record(DealTransactionHead)
            extra_deals = r.counted(Deal, "extra deals") if r.remaining else ()
            extra_positions = r.counted(Position, "extra positions") if r.remaining else ()
            deals.append(DealTransaction(head, extra_deals, extra_positions))
        return tuple(deals)
    orders = []
    while r.remaining:
        orders.append(r.record(OrderTransaction))
    return tuple(orders)
