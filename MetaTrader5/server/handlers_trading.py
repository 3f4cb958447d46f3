"""Trade request 12 (spec 3.7.1, 7.7) and the pushes that follow it.

The answer is the u32 ``0`` ("accepted, the result comes as push 19"), then, in order: one push
10 per engine event, push 14 if the balance changed, and push 19 with the request echo and the
final retcode (rejections included). Only an investor session is refused up front, with the
retcode in the answer word (spec 3.7.1: non-zero = final, no push 19).

At-most-once is the engine's job; we hand it a fingerprint of the request's bytes so a retry
with the same ``action_id`` and the same bytes gets the first outcome again (and no events).
A body shorter than 248 bytes is zero-filled by the protocol core (clients in the wild send
236 bytes, spec 6.3); wire action 1 is executed whatever the symbol's execution mode (4.5).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from MetaTrader5 import constants as c
from MetaTrader5.protocol.assumptions import TRADE_REQUEST_SIZE
from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.session import encode_u32
from MetaTrader5.protocol.messages.trading import decode_trade_request
from MetaTrader5.protocol.schemas.trading import TradeRequest as WireTradeRequest

from .engine.types import TradeRequest
from .handlers_common import Reply
from .ledger import lots
from .pushes import event_pushes, send_pushes, trade_result_body

if TYPE_CHECKING:
    from .session import Handler, Session

__all__ = ["TRADING_HANDLERS", "to_engine_request"]


def to_engine_request(request: WireTradeRequest) -> TradeRequest:
    """The decoded wire request (10^-8 lots) as the engine's request (lots)."""
    return TradeRequest(
        request_id=request.action_id,
        trade_action=request.trade_action,
        symbol=request.trade_symbol,
        volume=lots(request.volume),
        order=request.order,
        type=request.type,
        type_filling=request.type_filling,
        type_time=request.type_time,
        price=request.price_order,
        stoplimit=request.price_trigger,
        sl=request.sl,
        tp=request.tp,
        deviation=request.deviation,
        comment=request.comment,
        position=request.position,
        position_by=request.position_by,
        expiration=request.expiration,
    )


async def handle_trade_request(session: Session, payload: memoryview) -> Reply:
    """cmd 12."""
    raw = bytes(payload)
    wire = decode_trade_request(raw)
    context = session.context
    login = session.login
    if login is None:
        return Reply(3)
    if session.investor:
        return Reply(0, encode_u32(c.TRADE_RETCODE_TRADE_DISABLED))
    echo = raw[:TRADE_REQUEST_SIZE].ljust(TRADE_REQUEST_SIZE, b"\0")
    outcome, events = context.engine.execute(
        login, to_engine_request(wire), fingerprint=hashlib.sha256(echo).digest()
    )
    if events and context.stream is not None and wire.trade_symbol:
        context.stream.track(wire.trade_symbol)
    pushes = event_pushes(context, login, events)
    for other in context.sessions_of(login):
        if other is not session:
            send_pushes(context, other, pushes)
    result = (Command.TRADE_RESULT, trade_result_body(wire, outcome))
    return Reply(0, encode_u32(0), (*pushes, result))


TRADING_HANDLERS: dict[int, Handler] = {Command.TRADE_REQUEST: handle_trade_request}
