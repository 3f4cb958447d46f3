"""Interim trade layouts (spec 3.7.1, 3.7.2, 3.6.1/3.6.2), until ``protocol.messages`` has them.

Each helper names the protocol function that should replace it; see ``_interim.py``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from MetaTrader5.records import TradeRequest

__all__ = ["OrderBrief", "decode_order_records", "decode_trade_result", "encode_trade_request"]

#: spec 3.7.1: the 248-byte trade request.
_REQUEST = struct.Struct("<II64sQIQIIIIIddddIdd64sQQI")
#: spec 3.7.2: the 128-byte result part of push 19 (after u32 + 248-byte echo).
_RESULT = struct.Struct("<IqqqdIddd64s")
_POSITION_SIZE, _ORDER_SIZE, _DEAL_SIZE = 344, 356, 356


def _s(text: str, size: int) -> bytes:
    return text[: size // 2].encode("utf-16-le").ljust(size, b"\0")


def _text(raw: bytes) -> str:
    return raw.decode("utf-16-le", "replace").split("\0", 1)[0]


def volume_to_wire(lots: float) -> int:
    """spec 4.1: lots -> 10^-8 lots through a decimal string (0.1 stays 10 000 000)."""
    return int((Decimal(repr(lots)) * 100_000_000).quantize(Decimal(1), ROUND_HALF_EVEN))


def encode_trade_request(action_id: int, wire_action: int, req: TradeRequest, digits: int) -> bytes:
    """248-byte cmd 12 payload. Replace with protocol ``encode_trade_request``."""
    closing = req.action == 1 and req.position != 0
    flags = 3 if closing or req.action == 10 else (2 if req.action in (1, 5) else 0)
    return _REQUEST.pack(
        action_id, wire_action, _s(req.symbol, 64), volume_to_wire(req.volume), digits,
        req.order, req.type, req.type_filling, req.type_time, flags, 0,
        req.price, req.stoplimit, req.sl, req.tp, req.deviation, 0.0, 0.0,
        _s(req.comment, 64), req.position, req.position_by, req.expiration,
    )  # fmt: skip


def decode_trade_result(
    body: bytes | memoryview,
) -> tuple[int, tuple[int, int, int, float, float, float, float, str]]:
    """push 19 -> (action_id, (retcode, deal, order, volume, price, bid, ask, comment))."""
    data = bytes(body)
    (action_id,) = struct.unpack_from("<I", data, 4)
    retcode, deal, order, volume, price, _t, bid, ask, _last, comment = _RESULT.unpack_from(
        data, 4 + 248
    )
    return action_id, (retcode, deal, order, volume / 1e8, price, bid, ask, _text(comment))


@dataclass(frozen=True, slots=True)
class OrderBrief:
    """The order fields fate resolution compares (spec 3.6.1 order record)."""

    ticket: int
    symbol: str
    type: int
    volume_initial: float


def decode_order_records(body: bytes | memoryview, positions_first: bool) -> list[OrderBrief]:
    """Orders of a cmd 4 (positions, then orders) or cmd 5 (deals, then orders) answer."""
    data = bytes(body)
    skip = _POSITION_SIZE if positions_first else _DEAL_SIZE
    if len(data) < 4:
        return []
    (first,) = struct.unpack_from("<I", data, 0)
    pos = 4 + first * skip
    if len(data) < pos + 4:
        return []
    (count,) = struct.unpack_from("<I", data, pos)
    pos += 4
    out = []
    for i in range(count):
        base = pos + i * _ORDER_SIZE
        if base + _ORDER_SIZE > len(data):
            break
        (ticket,) = struct.unpack_from("<q", data, base)
        (kind,) = struct.unpack_from("<I", data, base + 148)
        (vol,) = struct.unpack_from("<q", data, base + 204)
        out.append(OrderBrief(ticket, _text(data[base + 72 : base + 136]), kind, vol / 1e8))
    return out
