"""Engine results -> wire: position/order/deal records, push 10 bodies, push 14, push 19.

Order of the pushes after a trade (spec 3.6.3, 7.7) - the engine already emits its events in
this order, and we keep it, one push 10 per event:

1. the order: open order added/replaced (flag_mask 0), or removed (flag 0, type 2), then the
   history order (flag_mask 1);
2. the deal with the position's state after it and the account's money (flag_mask 2); a
   closed position is signalled once, by a position record of volume 0; balance deals carry
   an empty symbol in both parts so the client skips the position part (spec 3.6.3 rule b);
3. push 14 (the full account block) when the balance or credit changed;
4. push 19 (request echo + result) - only to the session that sent the request.

Push 10 and 14 go to every session logged in to the account. We never push 20 (no spread
margins), so "no push 20 while a 20 request is unanswered" (spec 1.6) holds trivially.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.trading import (
    DealTransaction,
    encode_trade_result,
    encode_trade_update,
)
from MetaTrader5.protocol.schemas import trading as wire

from .engine.types import EventKind, TradeEvent, TradeOutcome
from .handlers_account import encode_account_block
from .ledger import units

if TYPE_CHECKING:
    from .handlers_common import ServerContext
    from .ledger import Deal, Order, Position
    from .session import Session
    from .symbols import SymbolSpec

__all__ = [
    "order_record",
    "deal_record",
    "position_record",
    "event_pushes",
    "push_events",
    "send_pushes",
    "trade_result_body",
]

# spec 3.6.3: record families of push 10.
_FLAG_ORDER = 0
_FLAG_HISTORY_ORDER = 1
_FLAG_DEAL = 2
_TX_ADD = 0
_TX_DELETE = 2


def _split_ms(msc: int) -> tuple[int, int]:
    seconds, ms = divmod(int(msc), 1000)
    return max(seconds, 0), ms


def _symbol_terms(context: ServerContext, symbol: str) -> SymbolSpec | None:
    return context.catalog.by_name(symbol) if symbol else None


def order_record(context: ServerContext, order: Order, currency_digits: int) -> wire.Order:
    """A ledger order as the 356-byte order record (spec 3.6.1)."""
    spec = _symbol_terms(context, order.symbol)
    setup, setup_ms = _split_ms(order.time_setup_msc)
    done, done_ms = _split_ms(order.time_done_msc)
    # Keywords straight into the record (no intermediate dict): this runs on every trade.
    return wire.Order(
        ticket=order.ticket, external_id=order.external_id, trade_symbol=order.symbol,
        time_setup=setup, time_expiration=max(int(order.time_expiration), 0), time_done=done,
        type=order.type, type_filling=order.type_filling, type_time=order.type_time,
        reason=order.reason, price_order=order.price_open,
        price_trigger=order.price_stoplimit, price_current=order.price_current, sl=order.sl,
        tp=order.tp, volume_initial=order.volume_initial, volume_current=order.volume_current,
        state=order.state, magic=order.magic, position_id=order.position_id,
        comment=order.comment[:32], contract_size=spec.contract.contract_size if spec else 0.0,
        digits=spec.digits if spec else 0, digits_currency=currency_digits,
        time_setup_ms=setup_ms, time_done_ms=done_ms,
    )  # fmt: skip


def position_record(
    context: ServerContext, position: Position, currency_digits: int
) -> wire.Position:
    """A ledger position as the 344-byte position record (spec 3.6.1)."""
    spec = _symbol_terms(context, position.symbol)
    create, create_ms = _split_ms(position.time_msc)
    update, update_ms = _split_ms(position.time_update_msc)
    return wire.Position(
        position_id=position.ticket, trade_order=position.ticket, time_create=create,
        time_update=update, trade_symbol=position.symbol, type=position.type,
        price_open=position.price_open, price_current=position.price_current,
        sl=position.sl, tp=position.tp, volume=position.volume, profit=position.profit,
        rate_profit=1.0, rate_margin=1.0, commission=position.commission, swap=position.swap,
        magic=position.magic, comment=position.comment[:32],
        contract_size=spec.contract.contract_size if spec else 0.0,
        digits=spec.digits if spec else 0, digits_currency=currency_digits,
        reason=position.reason, external_id=position.external_id, time_create_ms=create_ms,
        time_update_ms=update_ms,
    )  # fmt: skip


def deal_record(context: ServerContext, deal: Deal, currency_digits: int) -> wire.Deal:
    """A ledger deal as the 356-byte deal record (spec 3.6.2)."""
    spec = _symbol_terms(context, deal.symbol)
    create, create_ms = _split_ms(deal.time_msc)
    return wire.Deal(
        ticket=deal.ticket, external_id=deal.external_id, order=deal.order,
        time_create=create, time_update=create, trade_symbol=deal.symbol, type=deal.type,
        entry=deal.entry, price=deal.price, price_close=deal.price_position, sl=deal.sl,
        tp=deal.tp, volume=deal.volume, profit=deal.profit, rate_profit=1.0, rate_margin=1.0,
        commission=deal.commission, swap=deal.swap, magic=deal.magic,
        position_id=deal.position_id, comment=deal.comment[:32],
        contract_size=spec.contract.contract_size if spec else 0.0,
        digits=spec.digits if spec else 0, digits_currency=currency_digits,
        reason=deal.reason, time_create_ms=create_ms, time_update_ms=create_ms, fee=deal.fee,
    )  # fmt: skip


def _event_body(context: ServerContext, event: TradeEvent, digits: int) -> bytes | None:
    kind = event.kind
    if kind in (EventKind.ORDER, EventKind.ORDER_DELETE, EventKind.HISTORY_ORDER):
        if event.order is None:
            return None
        flag = _FLAG_HISTORY_ORDER if kind == EventKind.HISTORY_ORDER else _FLAG_ORDER
        tx = _TX_DELETE if kind == EventKind.ORDER_DELETE else _TX_ADD
        record = wire.OrderTransaction(flag, 0, tx, order_record(context, event.order, digits))
        return encode_trade_update([record])
    # spec 3.6.3: a deal-less position change has deal ticket 0; a balance deal has an empty
    # position (empty symbol), so the client skips the position part (rule b).
    deal = deal_record(context, event.deal, digits) if event.deal is not None else wire.Deal()
    position = (
        position_record(context, event.position, digits)
        if event.position is not None
        else wire.Position()
    )
    head = wire.DealTransactionHead(
        flag_mask=_FLAG_DEAL,
        transaction_id=0,
        transaction_type=_TX_ADD,
        deal=deal,
        position=position,
        balance=event.balance,
        credit=event.credit,
        commission_daily=event.commission_daily,
        commission_monthly=event.commission_monthly,
        acc_profit=0.0,
    )
    return encode_trade_update([DealTransaction(head)])


def event_pushes(context: ServerContext, login: int, events: list[TradeEvent]) -> list[
    tuple[int, bytes]
]:
    """The push 10 messages of ``events`` (one per event, in order), then push 14 if the
    account's balance or credit changed since the last account block it was sent."""
    account = context.engine.accounts.get(login)
    if account is None:
        return []
    out: list[tuple[int, bytes]] = []
    money_changed = False
    for event in events:
        if event.login != login:
            continue
        body = _event_body(context, event, account.currency_digits)
        if body is not None:
            out.append((Command.TRADE_UPDATE, body))
        if event.kind == EventKind.DEAL:
            money_changed = True
    if money_changed:
        sent = context.sent_money.get(login)
        now = (account.balance, account.credit)
        if sent != now:
            context.sent_money[login] = now
            out.append((Command.ACCOUNT_UPDATE, encode_account_block(context, login)))
    return out


def push_events(context: ServerContext, events: list[TradeEvent]) -> None:
    """Send engine events that no request caused (triggers, stop-out, rollover) to every
    session of their accounts."""
    logins = dict.fromkeys(event.login for event in events)
    for login in logins:
        sessions = context.sessions_of(login)
        if not sessions:
            continue
        pushes = event_pushes(context, login, events)
        for session in sessions:
            send_pushes(context, session, pushes)


def send_pushes(context: ServerContext, session: Session, pushes: list[tuple[int, bytes]]) -> None:
    """Queue pushes for one session; an investor session gets its own account block (its
    rights carry the investor bit, spec 3.3.1)."""
    for command, body in pushes:
        if command == Command.ACCOUNT_UPDATE and session.investor and session.login is not None:
            session.send(command, encode_account_block(context, session.login, investor=True))
        else:
            session.send(command, body)


def trade_result_body(request: wire.TradeRequest, outcome: TradeOutcome) -> bytes:
    """push 19 (spec 3.7.2): u32 0, the 248-byte request echo, the 128-byte result."""
    seconds = outcome.time_msc // 1000 if outcome.time_msc else 0
    result = wire.TradeResult(
        retcode=outcome.retcode,
        deal=outcome.deal,
        order=outcome.order,
        volume=units(outcome.volume),
        price=outcome.price,
        time=max(seconds, 0),
        bid=outcome.bid,
        ask=outcome.ask,
        last=0.0,
        comment=outcome.comment[:32],
    )
    return encode_trade_result(wire.TradeResultPush(0, request, result))
