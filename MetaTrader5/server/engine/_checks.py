"""Request validation as MT5 does it (spec 7 item 7): each check returns a retcode, 0 = passed.

Distances are compared in whole points (prices are converted with ``round(x / point)``) so
float noise never decides a rejection; volumes are compared in 10^-8 lot integers (spec 4.1).
"""

from __future__ import annotations

from MetaTrader5 import constants as c
from MetaTrader5.server.ledger import LOT, Ledger, Order, Position
from MetaTrader5.server.symbols import SymbolSpec

__all__ = [
    "check_expiration",
    "check_order_type",
    "check_filling",
    "check_pending_price",
    "check_stops",
    "check_trade_mode",
    "check_volume",
    "check_volume_limit",
    "is_buy_type",
    "order_frozen",
    "position_frozen",
]

_DAY_S = 86_400
_STOP_LIMITS = (c.ORDER_TYPE_BUY_STOP_LIMIT, c.ORDER_TYPE_SELL_STOP_LIMIT)
#: symbol order_flags bit per order type (spec 4.6 "symbol order flags").
_ORDER_BIT = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 8, 7: 8, 8: 64}


def is_buy_type(order_type: int) -> bool:
    return order_type % 2 == 0


def _pts(spec: SymbolSpec, price: float) -> int:
    return round(price / spec.point)


def check_volume(spec: SymbolSpec, volume_units: int) -> int:
    """10014 unless min <= volume <= max and volume is a whole number of steps."""
    vmin, vmax = round(spec.volume_min * LOT), round(spec.volume_max * LOT)
    step = round(spec.volume_step * LOT)
    if volume_units <= 0 or volume_units < vmin or volume_units > vmax:
        return c.TRADE_RETCODE_INVALID_VOLUME
    if step > 0 and volume_units % step:
        return c.TRADE_RETCODE_INVALID_VOLUME
    return 0


def check_volume_limit(spec: SymbolSpec, ledger: Ledger, order_type: int, added_units: int) -> int:
    """10034 when ``added_units`` more exposure in the order's direction passes volume_limit.

    SYMBOL_VOLUME_LIMIT caps the open positions plus pending orders of one direction on one
    symbol (spec 3.3.2 / 4.7 LIMIT_VOLUME); 0 means no cap. A deal that only closes or
    reduces a position adds nothing and always passes.
    """
    limit = round(spec.volume_limit * LOT)
    if limit <= 0 or added_units <= 0:
        return 0
    side = order_type % 2
    held = sum(
        p.volume for p in ledger.positions.values() if p.symbol == spec.name and p.type == side
    )
    pending = sum(
        o.volume_current for o in ledger.orders.values()
        if o.symbol == spec.name and o.type % 2 == side
    )
    if held + pending + added_units > limit:
        return c.TRADE_RETCODE_LIMIT_VOLUME
    return 0


def check_order_type(spec: SymbolSpec, order_type: int) -> int:
    """10035 for an unknown type or one the symbol's order_flags do not allow."""
    bit = _ORDER_BIT.get(order_type)
    if bit is None or not spec.order_flags & bit:
        return c.TRADE_RETCODE_INVALID_ORDER
    return 0


def check_trade_mode(spec: SymbolSpec, order_type: int, opening: bool) -> int:
    """10017 disabled; 10042-10044 long/short/close only for orders that open exposure."""
    mode = spec.trade_mode
    if mode == c.SYMBOL_TRADE_MODE_DISABLED:
        return c.TRADE_RETCODE_TRADE_DISABLED
    if not opening:
        return 0
    if mode == c.SYMBOL_TRADE_MODE_CLOSEONLY:
        return c.TRADE_RETCODE_CLOSE_ONLY
    if mode == c.SYMBOL_TRADE_MODE_LONGONLY and not is_buy_type(order_type):
        return c.TRADE_RETCODE_LONG_ONLY
    if mode == c.SYMBOL_TRADE_MODE_SHORTONLY and is_buy_type(order_type):
        return c.TRADE_RETCODE_SHORT_ONLY
    return 0


def check_filling(spec: SymbolSpec, order_type: int, filling: int) -> int:
    """10030 for a filling the symbol does not support.

    Market orders: FOK/IOC need fill_flags bits 1/2; RETURN is accepted under market and
    exchange execution (how demo servers treat forex). Pending orders: RETURN always, FOK/IOC
    when the symbol allows them, BOC only for limit orders with fill_flags bit 4.
    """
    if filling == c.ORDER_FILLING_FOK:
        ok = bool(spec.fill_flags & 1)
    elif filling == c.ORDER_FILLING_IOC:
        ok = bool(spec.fill_flags & 2)
    elif filling == c.ORDER_FILLING_RETURN:
        ok = order_type > 1 or spec.exemode in (
            c.SYMBOL_TRADE_EXECUTION_MARKET, c.SYMBOL_TRADE_EXECUTION_EXCHANGE
        )
    elif filling == c.ORDER_FILLING_BOC:
        ok = order_type in (2, 3) and bool(spec.fill_flags & 4)
    else:
        ok = False
    return 0 if ok else c.TRADE_RETCODE_INVALID_FILL


def check_expiration(
    spec: SymbolSpec, type_time: int, expiration_s: int, now_ms: int
) -> tuple[int, int]:
    """(retcode, effective expiration in seconds; 0 = none) for a pending order (10022)."""
    bit = {0: 1, 1: 2, 2: 4, 3: 8}.get(type_time)
    if bit is None or not spec.time_flags & bit:
        return c.TRADE_RETCODE_INVALID_EXPIRATION, 0
    now_s = now_ms // 1000
    if type_time == c.ORDER_TIME_GTC:
        return 0, 0
    if type_time == c.ORDER_TIME_DAY:
        return 0, (now_s // _DAY_S + 1) * _DAY_S  # end of the current server day
    if expiration_s <= now_s:
        return c.TRADE_RETCODE_INVALID_EXPIRATION, 0
    if type_time == c.ORDER_TIME_SPECIFIED_DAY:
        return 0, (expiration_s // _DAY_S + 1) * _DAY_S
    return 0, expiration_s


def check_pending_price(
    spec: SymbolSpec, order_type: int, price: float, stoplimit: float, *, bid: float,
    ask: float,
) -> int:
    """10015 when a pending price is not on the tick grid or too close to the market.

    Stop-limit: ``price`` is the stop and ``stoplimit`` the limit placed after activation
    (spec 4.4); buy: limit <= stop - stops_level, sell: limit >= stop + stops_level.
    """
    if price <= 0 or not _on_grid(spec, price):
        return c.TRADE_RETCODE_INVALID_PRICE
    level = max(spec.stops_level, 1)
    p, b, a = _pts(spec, price), _pts(spec, bid), _pts(spec, ask)
    ok = {
        c.ORDER_TYPE_BUY_LIMIT: a - p >= level,
        c.ORDER_TYPE_SELL_LIMIT: p - b >= level,
        c.ORDER_TYPE_BUY_STOP: p - a >= level,
        c.ORDER_TYPE_SELL_STOP: b - p >= level,
        c.ORDER_TYPE_BUY_STOP_LIMIT: p - a >= level,
        c.ORDER_TYPE_SELL_STOP_LIMIT: b - p >= level,
    }.get(order_type, False)
    if ok and order_type in _STOP_LIMITS:
        if stoplimit <= 0 or not _on_grid(spec, stoplimit):
            return c.TRADE_RETCODE_INVALID_PRICE
        gap = p - _pts(spec, stoplimit)
        ok = gap >= spec.stops_level if is_buy_type(order_type) else -gap >= spec.stops_level
    return 0 if ok else c.TRADE_RETCODE_INVALID_PRICE


def _on_grid(spec: SymbolSpec, price: float) -> bool:
    tick = spec.contract.tick_size or spec.point
    ratio = price / tick
    return abs(ratio - round(ratio)) < 1e-6


def check_stops(spec: SymbolSpec, buy: bool, reference: float, sl: float, tp: float) -> int:
    """10016 when SL/TP is on the wrong side of ``reference`` or within stops_level points.

    ``reference`` is the price the stop is compared against: the close price (bid for a buy,
    ask for a sell) for positions, the order price (the limit for stop-limits) for orders.
    """
    if sl < 0 or tp < 0:
        return c.TRADE_RETCODE_INVALID_STOPS
    if (sl and not _on_grid(spec, sl)) or (tp and not _on_grid(spec, tp)):
        return c.TRADE_RETCODE_INVALID_STOPS
    if (sl and not spec.order_flags & 16) or (tp and not spec.order_flags & 32):
        return c.TRADE_RETCODE_INVALID_STOPS
    level = max(spec.stops_level, 1)
    ref = _pts(spec, reference)
    sign = 1 if buy else -1
    if sl and (ref - _pts(spec, sl)) * sign < level:
        return c.TRADE_RETCODE_INVALID_STOPS
    if tp and (_pts(spec, tp) - ref) * sign < level:
        return c.TRADE_RETCODE_INVALID_STOPS
    return 0


def order_frozen(spec: SymbolSpec, order: Order, bid: float, ask: float) -> bool:
    """A pending order within freeze_level points of its activation price cannot change."""
    if spec.freeze_level <= 0:
        return False
    market = ask if is_buy_type(order.type) else bid
    return abs(_pts(spec, market) - _pts(spec, order.price_open)) < spec.freeze_level


def position_frozen(spec: SymbolSpec, position: Position, bid: float, ask: float) -> bool:
    """A position whose close price is within freeze_level points of its SL or TP."""
    if spec.freeze_level <= 0:
        return False
    close = bid if position.type == 0 else ask
    return any(
        level and abs(_pts(spec, close) - _pts(spec, level)) < spec.freeze_level
        for level in (position.sl, position.tp)
    )
