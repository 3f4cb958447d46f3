"""MetaTrader5 - drop-in, pure-Python replacement for the official package (5.0.6231).

The face of the package: the official names (API.md 1) plus a few documented extras. The 32
functions act on a default :class:`~MetaTrader5.terminal.Terminal`; ``Buy``/``Sell``/``Close``
are the official pure-Python helpers and live here, like in the official ``__init__.py``,
because they are written against the module functions.

Extras (ours, opt-in, never changing an official function; not in ``__all__``, so
``from MetaTrader5 import *`` gives exactly the official names): :class:`Terminal` (one
session per account), ``on_tick``/``on_book``/``on_trade``/``on_disconnect`` (push
callbacks, run on the bridge thread), ``server_time_offset()`` and ``server_time_to_utc()``.
More helpers (pandas frames, version info) live in ``MetaTrader5.extras``. No constant is
ever added (API.md 7).

Where ``initialize()`` connects - a ``ws://``/``wss://`` URL given as ``path``, the
``MT5WEB_URL`` environment variable, else the embedded simulator - is described in
``MetaTrader5._endpoint``.
"""

from typing import Any as _Any

from . import constants as _constants
from .constants import *  # noqa: F403 - the 223 official constants, as data
from .constants import (
    ORDER_TYPE_BUY,
    ORDER_TYPE_SELL,
    POSITION_TYPE_BUY,
    POSITION_TYPE_SELL,
    TRADE_ACTION_DEAL,
    TRADE_RETCODE_DONE,
    TRADE_RETCODE_PRICE_OFF,
    TRADE_RETCODE_REQUOTE,
)
from .records import (
    AccountInfo,
    BookInfo,
    OrderCheckResult,
    OrderSendResult,
    SymbolInfo,
    TerminalInfo,
    Tick,
    TradeDeal,
    TradeOrder,
    TradePosition,
    TradeRequest,
)
from .terminal import Terminal as Terminal
from .terminal import Terminal as _Terminal
from .terminal import module_function as _module_function

__version__ = "5.0.6231"
__author__ = "MetaQuotes Ltd."

initialize = _module_function(_Terminal.initialize)
login = _module_function(_Terminal.login)
shutdown = _module_function(_Terminal.shutdown)
version = _module_function(_Terminal.version)
last_error = _module_function(_Terminal.last_error)
account_info = _module_function(_Terminal.account_info)
terminal_info = _module_function(_Terminal.terminal_info)
symbols_total = _module_function(_Terminal.symbols_total)
symbols_get = _module_function(_Terminal.symbols_get)
symbol_info = _module_function(_Terminal.symbol_info)
symbol_info_tick = _module_function(_Terminal.symbol_info_tick)
symbol_select = _module_function(_Terminal.symbol_select)
market_book_add = _module_function(_Terminal.market_book_add)
market_book_get = _module_function(_Terminal.market_book_get)
market_book_release = _module_function(_Terminal.market_book_release)
copy_rates_from = _module_function(_Terminal.copy_rates_from)
copy_rates_from_pos = _module_function(_Terminal.copy_rates_from_pos)
copy_rates_range = _module_function(_Terminal.copy_rates_range)
copy_ticks_from = _module_function(_Terminal.copy_ticks_from)
copy_ticks_range = _module_function(_Terminal.copy_ticks_range)
orders_total = _module_function(_Terminal.orders_total)
orders_get = _module_function(_Terminal.orders_get)
order_calc_margin = _module_function(_Terminal.order_calc_margin)
order_calc_profit = _module_function(_Terminal.order_calc_profit)
order_check = _module_function(_Terminal.order_check)
order_send = _module_function(_Terminal.order_send)
positions_total = _module_function(_Terminal.positions_total)
positions_get = _module_function(_Terminal.positions_get)
history_orders_total = _module_function(_Terminal.history_orders_total)
history_orders_get = _module_function(_Terminal.history_orders_get)
history_deals_total = _module_function(_Terminal.history_deals_total)
history_deals_get = _module_function(_Terminal.history_deals_get)

# -- extras (documented above; not in __all__) --------------------------------------------
on_tick = _module_function(_Terminal.on_tick)
on_book = _module_function(_Terminal.on_book)
on_trade = _module_function(_Terminal.on_trade)
on_disconnect = _module_function(_Terminal.on_disconnect)
server_time_offset = _module_function(_Terminal.server_time_offset)
server_time_to_utc = _module_function(_Terminal.server_time_to_utc)


# -- the official pure-Python helpers (API.md 4, "Buy / Sell / Close") --------------------

_RETRY_CODES = (TRADE_RETCODE_REQUOTE, TRADE_RETCODE_PRICE_OFF)
_TRIES = 10


def _RawOrder(  # noqa: N802, PLR0917 - official name and signature
    order_type: int,
    symbol: str,
    volume: float,
    price: float,
    comment: str | None = None,
    ticket: int | None = None,
) -> OrderSendResult | None:
    """Send one market deal (deviation 10); ``ticket`` becomes the request's position."""
    request: dict[str, _Any] = {
        "action": TRADE_ACTION_DEAL,
        "symbol": symbol,
        "volume": volume,
        "type": order_type,
        "price": price,
        "deviation": 10,
    }
    if comment is not None:
        request["comment"] = comment
    if ticket is not None:
        request["position"] = ticket
    result: OrderSendResult | None = order_send(request)
    return result


def _market_deal(  # noqa: PLR0917
    order_type: int, symbol: str, volume: float, price: float | None, comment: _Any, ticket: _Any
) -> OrderSendResult | None:
    if price is not None:
        return _RawOrder(order_type, symbol, volume, price, comment, ticket)
    result: OrderSendResult | None = None
    for _ in range(_TRIES):
        tick: _Any = symbol_info_tick(symbol)  # None -> AttributeError, like the official
        quote = tick.ask if order_type == ORDER_TYPE_BUY else tick.bid
        result = _RawOrder(order_type, symbol, volume, quote, comment, ticket)
        if result is None or result.retcode not in _RETRY_CODES:
            break
    return result


def Buy(  # noqa: N802 - official name
    symbol: str,
    volume: float,
    price: float | None = None,
    *,
    comment: str | None = None,
    ticket: int | None = None,
) -> OrderSendResult | None:
    """Buy at ``price``, or at the current ask with up to 10 tries on requote/price off."""
    return _market_deal(ORDER_TYPE_BUY, symbol, volume, price, comment, ticket)


def Sell(  # noqa: N802 - official name
    symbol: str,
    volume: float,
    price: float | None = None,
    *,
    comment: str | None = None,
    ticket: int | None = None,
) -> OrderSendResult | None:
    """Sell at ``price``, or at the current bid with up to 10 tries on requote/price off."""
    return _market_deal(ORDER_TYPE_SELL, symbol, volume, price, comment, ticket)


def Close(  # noqa: N802 - official name
    symbol: str, *, comment: str | None = None, ticket: int | None = None
) -> bool | str | None:
    """Close the BUY/SELL positions of ``ticket`` (else of ``symbol``) with opposite deals.

    Returns True (all closed), 'Partially', False (none closed), or None when a tick or
    order_send returned None.
    """
    positions = positions_get(ticket=ticket) if ticket is not None else positions_get(symbol=symbol)
    if positions is None:
        return None
    closed = 0
    for position in positions:
        if position.type == POSITION_TYPE_BUY:
            order_type, side = ORDER_TYPE_SELL, "bid"
        elif position.type == POSITION_TYPE_SELL:
            order_type, side = ORDER_TYPE_BUY, "ask"
        else:
            continue
        for _ in range(_TRIES):
            tick = symbol_info_tick(position.symbol)
            if tick is None:
                return None
            result = _RawOrder(
                order_type,
                position.symbol,
                position.volume,
                getattr(tick, side),
                comment,
                position.ticket,
            )
            if result is None:
                return None
            if result.retcode == TRADE_RETCODE_DONE:
                closed += 1
                break
            if result.retcode not in _RETRY_CODES:
                break
    if closed == 0:
        return False
    return True if closed == len(positions) else "Partially"


__all__ = [
    "initialize",
    "login",
    "shutdown",
    "version",
    "last_error",
    "account_info",
    "terminal_info",
    "symbols_total",
    "symbols_get",
    "symbol_info",
    "symbol_info_tick",
    "symbol_select",
    "market_book_add",
    "market_book_get",
    "market_book_release",
    "copy_rates_from",
    "copy_rates_from_pos",
    "copy_rates_range",
    "copy_ticks_from",
    "copy_ticks_range",
    "orders_total",
    "orders_get",
    "order_calc_margin",
    "order_calc_profit",
    "order_check",
    "order_send",
    "positions_total",
    "positions_get",
    "history_orders_total",
    "history_orders_get",
    "history_deals_total",
    "history_deals_get",
    "Buy",
    "Sell",
    "Close",
    "AccountInfo",
    "BookInfo",
    "OrderCheckResult",
    "OrderSendResult",
    "SymbolInfo",
    "TerminalInfo",
    "Tick",
    "TradeDeal",
    "TradeOrder",
    "TradePosition",
    "TradeRequest",
]
__all__ += _constants.__all__
