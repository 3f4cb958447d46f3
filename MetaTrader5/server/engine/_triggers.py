"""What the market does to accounts without a request: pending activation, SL/TP, expiration,
stop-out (on every quote) and swaps (at rollover).

Server actions 100-106 of spec 4.5; their orders and deals carry ORDER_/DEAL_REASON_SL, _TP,
_SO, and the wire sees the same push-10 sequence as for a client trade (spec 3.6.3, 7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from MetaTrader5 import constants as c
from MetaTrader5.server.engine._fills import Desk
from MetaTrader5.server.engine._risk import account_state, legs_of, position_profit
from MetaTrader5.server.engine.types import TradeEvent
from MetaTrader5.server.ledger import Order, Position, lots
from MetaTrader5.server.symbols import SymbolSpec

if TYPE_CHECKING:
    from MetaTrader5.server.engine.core import TradingEngine

__all__ = ["on_quote", "rollover"]

_DAY_MS = 86_400_000


def _triggered(order: Order, bid: float, ask: float) -> bool:
    """Activation rules: buy side against ask, sell side against bid."""
    p = order.price_open
    return {
        c.ORDER_TYPE_BUY_LIMIT: ask <= p,
        c.ORDER_TYPE_SELL_LIMIT: bid >= p,
        c.ORDER_TYPE_BUY_STOP: ask >= p,
        c.ORDER_TYPE_SELL_STOP: bid <= p,
        c.ORDER_TYPE_BUY_STOP_LIMIT: ask >= p,
        c.ORDER_TYPE_SELL_STOP_LIMIT: bid <= p,
    }.get(order.type, False)


def on_quote(
    engine: TradingEngine, symbol: str, bid: float, ask: float, time_msc: int
) -> list[TradeEvent]:
    """Apply a new quote of ``symbol`` to every account; return the events, account by account."""
    spec = engine.market.spec(symbol)
    if spec is None:
        return []
    events: list[TradeEvent] = []
    for login in list(engine.accounts):
        desk = engine.desk(login)
        _expire(desk, symbol, time_msc)
        _activate(engine, desk, spec, bid=bid, ask=ask, now=time_msc)
        _stops(desk, spec, bid, ask, time_msc)
        _refresh(engine, desk, symbol, bid, ask)
        _stop_out(engine, desk, time_msc)
        events.extend(desk.events)
    return events


def _expire(desk: Desk, symbol: str, now: int) -> None:
    for order in sorted(desk.ledger.orders.values(), key=lambda o: o.ticket):
        if order.symbol == symbol and order.time_expiration and now >= order.time_expiration * 1000:
            order.state, order.time_done_msc = c.ORDER_STATE_EXPIRED, now
            desk.ledger.archive_order(order)
            desk.order_delete_event(order, now)
            desk.history_event(order, now)


def _activate(
    engine: TradingEngine, desk: Desk, spec: SymbolSpec, *, bid: float, ask: float, now: int
) -> None:
    pending = sorted(desk.ledger.orders.values(), key=lambda o: o.ticket)
    while pending:
        order = pending.pop(0)
        if order.symbol != spec.name or not _triggered(order, bid, ask):
            continue
        desk.ledger.orders.pop(order.ticket)
        desk.order_delete_event(order, now)
        if order.type >= c.ORDER_TYPE_BUY_STOP_LIMIT:
            # Server action 103: the stop-limit is done and a limit order takes its place.
            order.state, order.time_done_msc = c.ORDER_STATE_FILLED, now
            desk.ledger.archive_order(order)
            desk.history_event(order, now)
            limit = Order(
                ticket=desk.tickets.order(), symbol=order.symbol, type=order.type - 4,
                volume_initial=order.volume_current, volume_current=order.volume_current,
                price_open=order.price_stoplimit, time_setup_msc=now, state=c.ORDER_STATE_PLACED,
                type_filling=order.type_filling, type_time=order.type_time,
                time_expiration=order.time_expiration, sl=order.sl, tp=order.tp,
                price_current=ask if order.type % 2 == 0 else bid, magic=order.magic,
                reason=order.reason, comment=order.comment,
            )
            desk.ledger.add_order(limit)
            desk.order_event(limit, now)
            pending.append(limit)
            continue
        price = ask if order.type % 2 == 0 else bid
        if not _affordable(engine, desk, spec, order, price):
            # Activation without money: the order is rejected and cancelled (retcode 10041).
            order.state, order.time_done_msc = c.ORDER_STATE_REJECTED, now
            desk.ledger.archive_order(order)
            desk.history_event(order, now)
            continue
        desk.fill(order, spec, price, now)


def _affordable(
    engine: TradingEngine, desk: Desk, spec: SymbolSpec, order: Order, price: float
) -> bool:
    legs = legs_of(desk.ledger.positions.values())
    legs.append((spec.name, order.type % 2, order.volume_current, price))
    after = account_state(engine.math, engine.market, desk.account,
                          desk.ledger.positions.values(), legs)
    return after.margin_free - spec.commission_per_lot * lots(order.volume_current) >= 0


def close_position(
    desk: Desk, spec: SymbolSpec, position: Position, *, price: float, reason: int, comment: str,
    now: int,
) -> None:
    """Close a whole position by a server order (SL, TP, stop-out)."""
    order = Order(
        ticket=desk.tickets.order(), symbol=spec.name, type=1 - position.type,
        volume_initial=position.volume, volume_current=position.volume, price_open=price,
        time_setup_msc=now, state=c.ORDER_STATE_STARTED, type_filling=c.ORDER_FILLING_FOK,
        position_id=position.ticket, reason=reason, comment=comment, magic=position.magic,
    )
    desk.fill(order, spec, price, now, position)


def _stops(desk: Desk, spec: SymbolSpec, bid: float, ask: float, now: int) -> None:
    for position in sorted(desk.ledger.positions.values(), key=lambda p: p.ticket):
        if position.symbol != spec.name:
            continue
        buy = position.type == 0
        close = bid if buy else ask
        sl_hit = position.sl > 0 and (close <= position.sl if buy else close >= position.sl)
        tp_hit = position.tp > 0 and (close >= position.tp if buy else close <= position.tp)
        if sl_hit:
            text = f"[sl {position.sl:.{spec.digits}f}]"
            close_position(desk, spec, position, price=close, reason=c.ORDER_REASON_SL,
                           comment=text, now=now)
        elif tp_hit:
            text = f"[tp {position.tp:.{spec.digits}f}]"
            close_position(desk, spec, position, price=close, reason=c.ORDER_REASON_TP,
                           comment=text, now=now)


def _refresh(engine: TradingEngine, desk: Desk, symbol: str, bid: float, ask: float) -> None:
    for position in desk.ledger.positions.values():
        if position.symbol == symbol:
            position.price_current = bid if position.type == 0 else ask
            position.profit = position_profit(engine.math, engine.market, desk.account, position)
    for order in desk.ledger.orders.values():
        if order.symbol == symbol:
            order.price_current = ask if order.type % 2 == 0 else bid


def _stop_out(engine: TradingEngine, desk: Desk, now: int) -> None:
    """Close the most losing position first until the stop-out condition clears (spec 4.9)."""
    account = desk.account
    while desk.ledger.positions:
        state = engine.state(account.login)
        if state.margin <= 0:
            return
        if account.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            hit = state.margin_level < account.margin_so_so
            text = f"[so {state.margin_level:.2f}%/{state.equity:.2f}/{state.margin:.2f}]"
        else:
            hit = state.equity < account.margin_so_so
            text = f"[so {state.equity:.2f}/{state.margin:.2f}]"
        if not hit:
            return
        worst = min(
            desk.ledger.positions.values(),
            key=lambda p: (position_profit(engine.math, engine.market, account, p) + p.swap,
                           p.ticket),
        )
        spec = engine.market.spec(worst.symbol)
        quote = engine.market.quote(worst.symbol)
        if spec is None or quote is None:
            return
        price = quote[0] if worst.type == 0 else quote[1]
        close_position(desk, spec, worst, price=price, reason=c.ORDER_REASON_SO,
                       comment=text[:32], now=now)


def _swap(engine: TradingEngine, desk: Desk, spec: SymbolSpec, position: Position) -> float:
    """One day's swap of a position per the symbol's swap mode (spec 4.6 swap modes)."""
    rate = spec.swap_long if position.type == 0 else spec.swap_short
    volume = lots(position.volume)
    ccy, con, math = desk.account.currency, spec.contract, engine.math
    mode = spec.swap_mode
    if mode == c.SYMBOL_SWAP_MODE_DISABLED or rate == 0:
        return 0.0
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_SYMBOL:
        return math.amount(rate * volume, con.currency_base, ccy)
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_MARGIN:
        return math.amount(rate * volume, con.currency_margin, ccy)
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_DEPOSIT:
        return rate * volume
    if mode in (c.SYMBOL_SWAP_MODE_INTEREST_CURRENT, c.SYMBOL_SWAP_MODE_INTEREST_OPEN):
        base = position.price_current or position.price_open
        if mode == c.SYMBOL_SWAP_MODE_INTEREST_OPEN:
            base = position.price_open
        value = base * con.contract_size * volume * rate / 100.0 / 360.0
        return math.amount(value, con.currency_profit, ccy)
    # Points (and the reopen modes, which we charge as points without reopening).
    sign = 1.0 if position.type == 0 else -1.0
    start = position.price_open
    return math.profit(spec, ccy, position.type, volume=volume, price_open=start,
                       price_close=start + sign * rate * spec.point)


def rollover(engine: TradingEngine, server_ms: int) -> list[TradeEvent]:
    """Accrue one rollover of swap on every position (triple on swap_rollover3days)."""
    weekday = (server_ms // _DAY_MS + 4) % 7  # 1970-01-01 was a Thursday; Sunday = 0
    events: list[TradeEvent] = []
    for login in list(engine.accounts):
        desk = engine.desk(login)
        for position in sorted(desk.ledger.positions.values(), key=lambda p: p.ticket):
            spec = engine.market.spec(position.symbol)
            if spec is None:
                continue
            days = 3 if weekday == spec.swap_rollover3days else 1
            amount = round(_swap(engine, desk, spec, position) * days,
                           desk.account.currency_digits)
            if amount:
                position.swap = round(position.swap + amount, desk.account.currency_digits)
                position.time_update_msc = server_ms
                desk.position_event(position, server_ms)
        events.extend(desk.events)
    return events
