"""Positions/orders 4 and trade history 5 (spec 3.6.1, 3.6.2).

History bounds are server-time seconds (spec 4.3); ``to = 0`` means "until now" and ``0, 0``
all history (spec 3.6.2). Both bounds are inclusive: a deal at ``to`` + 0.999 s is inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.trading import (
    decode_history_request,
    encode_history,
    encode_positions_orders,
)

from .handlers_common import Reply
from .pushes import deal_record, order_record, position_record

if TYPE_CHECKING:
    from .session import Handler, Session

__all__ = ["HISTORY_HANDLERS"]

_FAR_FUTURE_MS = 2**62


async def handle_positions_orders(session: Session, payload: memoryview) -> Reply:
    """cmd 4: every open position, then every open (pending) order, by ticket."""
    del payload
    context = session.context
    if session.login is None:
        return Reply(3)
    ledger = context.engine.ledger(session.login)
    digits = context.engine.account(session.login).currency_digits
    positions = [
        position_record(context, p, digits)
        for p in sorted(ledger.positions.values(), key=lambda p: p.ticket)
    ]
    orders = [
        order_record(context, o, digits)
        for o in sorted(ledger.orders.values(), key=lambda o: o.ticket)
    ]
    return Reply(0, encode_positions_orders(positions, orders))


async def handle_history(session: Session, payload: memoryview) -> Reply:
    """cmd 5: deals and history orders whose time lies in [from, to]."""
    request = decode_history_request(payload)
    context = session.context
    if session.login is None:
        return Reply(3)
    start = request.time_from * 1000 if request.time_from > 0 else 0
    end = request.time_to * 1000 + 999 if request.time_to > 0 else _FAR_FUTURE_MS
    ledger = context.engine.ledger(session.login)
    digits = context.engine.account(session.login).currency_digits
    deals = [deal_record(context, d, digits) for d in ledger.deals(start, end)]
    orders = [order_record(context, o, digits) for o in ledger.history_orders(start, end)]
    return Reply(0, encode_history(deals, orders))


HISTORY_HANDLERS: dict[int, Handler] = {
    Command.POSITIONS_ORDERS: handle_positions_orders,
    Command.TRADE_HISTORY: handle_history,
}
