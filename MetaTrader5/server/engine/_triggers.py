"""What the market does to accounts without a request: pending activation, SL/TP, expiration,
stop-out (on every quote) and swaps (at rollover).

Server actions 100-106 of spec 4.5; their orders and deals carry ORDER_/DEAL_REASON_SL, _TP,
_SO, and the wire sees the same push-10 sequence as for a client trade (spec 3.6.3, 7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from MetaTrader5 import constants as c
from MetaTrader5.server.engine._fills import Desk
from MetaTrader5.server.engine._money import math_position
from MetaTrader5.server.engine._risk import free_margin_after, position_profit, snapshot
from MetaTrader5.server.engine.types import TradeEvent
from MetaTrader5.server.ledger import Order, Position, lots
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath import Position as MathPosition
from MetaTrader5.trademath import (
    TradeMathError,
    is_stop_out,
    margin_currency,
    round_money,
)
from MetaTrader5.trademath import profit as math_profit

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
        _stops(engine, desk, spec, bid=bid, ask=ask, now=time_msc)
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
        # A quote older than the order never saw it: history must not run backwards.
        if order.symbol != spec.name or now < order.time_setup_msc:
            continue
        if not _triggered(order, bid, ask):
            continue
        price = ask if order.type % 2 == 0 else bid
        if order.type < c.ORDER_TYPE_BUY_STOP_LIMIT and not engine.pricing.can_book(
            desk.account, spec, price
        ):
            continue  # no conversion quote: the order stays pending until there is one
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
    """The activation check of spec 4.9: free margin after the fill, less commission, >= 0.

    An account that cannot be valued (no conversion quote) cannot afford anything.
    """
    extra = MathPosition(spec.name, order.type % 2, lots(order.volume_current), price)
    try:
        free = free_margin_after(engine.pricing, desk.account, desk.ledger.positions.values(),
                                 extra)
    except TradeMathError:
        return False
    return free - spec.commission_per_lot * lots(order.volume_current) >= 0


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


def _stops(
    engine: TradingEngine, desk: Desk, spec: SymbolSpec, *, bid: float, ask: float, now: int
) -> None:
    for position in sorted(desk.ledger.positions.values(), key=lambda p: p.ticket):
        # A quote older than the position's last change cannot close it (a feed tick stamped
        # before the opening deal would otherwise book a close that precedes the open).
        if position.symbol != spec.name or now < position.time_update_msc:
            continue
        buy = position.type == 0
        close = bid if buy else ask
        if not engine.pricing.can_book(desk.account, spec, close):
            continue
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
            try:
                position.profit = position_profit(engine.pricing, desk.account, position)
            except TradeMathError:
                continue  # no conversion quote yet: keep the last known profit
    for order in desk.ledger.orders.values():
        if order.symbol == symbol:
            order.price_current = ask if order.type % 2 == 0 else bid


def _stop_out(engine: TradingEngine, desk: Desk, now: int) -> None:
    """Close the most losing position first until trademath's stop-out test clears (spec 4.9).

    The level is the client's: equity / maintenance margin x 100 (or equity in money mode)
    at or below ``margin_so_so``. An account that cannot be valued is never closed on a guess.
    """
    account = desk.account
    terms = account.terms()
    digits = account.currency_digits
    while desk.ledger.positions:
        positions = sorted(desk.ledger.positions.values(), key=lambda p: p.ticket)
        try:
            snap = snapshot(engine.pricing, account, (math_position(p) for p in positions))
            results = {p.ticket: position_profit(engine.pricing, account, p) + p.swap
                       for p in positions}
        except TradeMathError:
            return
        if not is_stop_out(snap, terms):
            return
        equity, used = round_money(snap.equity, digits), round_money(snap.margin, digits)
        if account.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            text = f"[so {snap.margin_level:.2f}%/{equity:.2f}/{used:.2f}]"
        else:
            text = f"[so {equity:.2f}/{used:.2f}]"
        worst = min(positions, key=lambda p: (results[p.ticket], p.ticket))
        spec = engine.market.spec(worst.symbol)
        quote = engine.pricing.quotes(worst.symbol)
        if spec is None or quote is None:
            return
        price = quote[0] if worst.type == 0 else quote[1]
        if not engine.pricing.can_book(desk.account, spec, price):
            return
        close_position(desk, spec, worst, price=price, reason=c.ORDER_REASON_SO,
                       comment=text[:32], now=now)


def _swap(engine: TradingEngine, desk: Desk, spec: SymbolSpec, position: Position) -> float:
    """One day's swap of a position per the symbol's swap mode (spec 4.6 swap modes).

    Raises:
        TradeMathError: the swap currency cannot be converted into the account currency.
    """
    rate = spec.swap_long if position.type == 0 else spec.swap_short
    volume = lots(position.volume)
    account, con, pricing = desk.account, spec.contract, engine.pricing
    mode = spec.swap_mode
    if mode == c.SYMBOL_SWAP_MODE_DISABLED or rate == 0:
        return 0.0
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_SYMBOL:
        return pricing.amount(rate * volume, con.currency_base, account)
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_MARGIN:
        return pricing.amount(rate * volume, margin_currency(con), account)
    if mode == c.SYMBOL_SWAP_MODE_CURRENCY_DEPOSIT:
        return rate * volume
    if mode in (c.SYMBOL_SWAP_MODE_INTEREST_CURRENT, c.SYMBOL_SWAP_MODE_INTEREST_OPEN):
        base = position.price_current or position.price_open
        if mode == c.SYMBOL_SWAP_MODE_INTEREST_OPEN:
            base = position.price_open
        value = base * con.contract_size * volume * rate / 100.0 / 360.0
        return pricing.amount(value, con.currency_profit, account)
    # Points (and the reopen modes, which we charge as points without reopening): the profit
    # of a move of ``rate`` points in the position's favour.
    sign = 1.0 if position.type == 0 else -1.0
    start = position.price_open
    return math_profit(pricing.contract(spec.name), position.type, volume, start,
                       start + sign * rate * spec.point, account.currency, pricing.index,
                       pricing.quotes)


def rollover(engine: TradingEngine, server_ms: int) -> list[TradeEvent]:
    """Accrue one rollover of swap on every position (triple on swap_rollover3days).

    A position whose swap cannot be converted into the account currency accrues nothing.
    """
    weekday = (server_ms // _DAY_MS + 4) % 7  # 1970-01-01 was a Thursday; Sunday = 0
    events: list[TradeEvent] = []
    for login in list(engine.accounts):
        desk = engine.desk(login)
        digits = desk.account.currency_digits
        for position in sorted(desk.ledger.positions.values(), key=lambda p: p.ticket):
            spec = engine.market.spec(position.symbol)
            if spec is None:
                continue
            days = 3 if weekday == spec.swap_rollover3days else 1
            try:
                amount = round_money(_swap(engine, desk, spec, position) * days, digits)
            except TradeMathError:
                continue
            if amount:
                position.swap = round_money(position.swap + amount, digits)
                position.time_update_msc = server_ms
                desk.position_event(position, server_ms)
        events.extend(desk.events)
    return events
