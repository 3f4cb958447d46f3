# Type stub of the face (MetaTrader5/__init__.py).
#
# The runtime functions take ``*args, **kwargs`` so that CPython's own TypeError texts are
# reproduced exactly (see terminal.py); this stub gives type checkers the official
# signatures instead: positional-only where the official is METH_VARARGS, keyword-only where
# it takes keywords only, overloads for the alternative call forms, and ``None`` (or
# ``False`` / ``(0, 0, '')``, as the official) in every failure return type.
# tests/test_stub.py checks that this file names exactly what the module offers.

import datetime as _dt
from collections.abc import Callable as _Callable
from collections.abc import Mapping as _Mapping
from typing import Any as _Any
from typing import Final as _Final
from typing import TypedDict as _TypedDict
from typing import overload as _overload

import numpy as _np
import numpy.typing as _npt

from ._session import Listener as _Listener
from .constants import *  # noqa: F403 - the 223 official constants
from .records import AccountInfo as AccountInfo
from .records import BookInfo as BookInfo
from .records import OrderCheckResult as OrderCheckResult
from .records import OrderSendResult as OrderSendResult
from .records import SymbolInfo as SymbolInfo
from .records import TerminalInfo as TerminalInfo
from .records import Tick as Tick
from .records import TradeDeal as TradeDeal
from .records import TradeOrder as TradeOrder
from .records import TradePosition as TradePosition
from .records import TradeRequest as TradeRequest
from .terminal import Terminal as Terminal

__version__: _Final[str]
__author__: _Final[str]
__all__: list[str]

#: A date the official functions accept: a datetime, or seconds since the epoch.
_Date = _dt.datetime | int | float
_Array = _npt.NDArray[_np.void]

class _Request(_TypedDict, total=False):
    """The keys of an ``order_send`` / ``order_check`` request (official TradeRequest)."""

    action: int
    magic: int
    order: int
    symbol: str
    volume: float
    price: float
    stoplimit: float
    sl: float
    tp: float
    deviation: int
    type: int
    type_filling: int
    type_time: int
    expiration: int
    comment: str
    position: int
    position_by: int

# -- connection ---------------------------------------------------------------------------

def initialize(
    path: str = ...,
    *,
    login: int = ...,
    password: str = ...,
    server: str = ...,
    timeout: int = ...,
    portable: bool = ...,
) -> bool: ...
def login(login: int, password: str = ..., server: str = ..., *, timeout: int = ...) -> bool: ...
def shutdown() -> bool: ...
def version() -> tuple[int, int, str]: ...
def last_error() -> tuple[int, str]: ...

# -- account, terminal, symbols -----------------------------------------------------------

def account_info() -> AccountInfo | None: ...
def terminal_info() -> TerminalInfo | None: ...
def symbols_total() -> int | None: ...
def symbols_get(group: str = ...) -> tuple[SymbolInfo, ...] | None: ...
def symbol_info(symbol: str, /) -> SymbolInfo | None: ...
def symbol_info_tick(symbol: str, /) -> Tick | None: ...
def symbol_select(symbol: str, enable: bool = ..., /) -> bool: ...
def market_book_add(symbol: str, /) -> bool: ...
def market_book_get(symbol: str, /) -> tuple[BookInfo, ...] | None: ...
def market_book_release(symbol: str, /) -> bool: ...

# -- prices -------------------------------------------------------------------------------

def copy_rates_from(
    symbol: str, timeframe: int, date_from: _Date, count: int, /
) -> _Array | None: ...
def copy_rates_from_pos(
    symbol: str, timeframe: int, start_pos: int, count: int, /
) -> _Array | None: ...
def copy_rates_range(
    symbol: str, timeframe: int, date_from: _Date, date_to: _Date, /
) -> _Array | None: ...
def copy_ticks_from(symbol: str, date_from: _Date, count: int, flags: int, /) -> _Array | None: ...
def copy_ticks_range(
    symbol: str, date_from: _Date, date_to: _Date, flags: int, /
) -> _Array | None: ...

# -- orders and positions -----------------------------------------------------------------

def orders_total() -> int | None: ...
@_overload
def orders_get() -> tuple[TradeOrder, ...] | None: ...
@_overload
def orders_get(*, symbol: str) -> tuple[TradeOrder, ...] | None: ...
@_overload
def orders_get(*, group: str) -> tuple[TradeOrder, ...] | None: ...
@_overload
def orders_get(*, ticket: int) -> tuple[TradeOrder, ...] | None: ...
def positions_total() -> int | None: ...
@_overload
def positions_get() -> tuple[TradePosition, ...] | None: ...
@_overload
def positions_get(*, symbol: str) -> tuple[TradePosition, ...] | None: ...
@_overload
def positions_get(*, group: str) -> tuple[TradePosition, ...] | None: ...
@_overload
def positions_get(*, ticket: int) -> tuple[TradePosition, ...] | None: ...
def order_calc_margin(action: int, symbol: str, volume: float, price: float, /) -> float | None: ...
def order_calc_profit(
    action: int, symbol: str, volume: float, price_open: float, price_close: float, /
) -> float | None: ...
@_overload
def order_check(request: _Request | _Mapping[str, _Any], /) -> OrderCheckResult | None: ...
@_overload
def order_check(**request: _Any) -> OrderCheckResult | None: ...
@_overload
def order_send(request: _Request | _Mapping[str, _Any], /) -> OrderSendResult | None: ...
@_overload
def order_send(**request: _Any) -> OrderSendResult | None: ...

# -- history ------------------------------------------------------------------------------

def history_orders_total(date_from: _Date, date_to: _Date, /) -> int | None: ...
@_overload
def history_orders_get(
    date_from: _Date, date_to: _Date, /, *, group: str = ...
) -> tuple[TradeOrder, ...] | None: ...
@_overload
def history_orders_get(*, ticket: int) -> tuple[TradeOrder, ...] | None: ...
@_overload
def history_orders_get(*, position: int) -> tuple[TradeOrder, ...] | None: ...
def history_deals_total(date_from: _Date, date_to: _Date, /) -> int | None: ...
@_overload
def history_deals_get(
    date_from: _Date, date_to: _Date, /, *, group: str = ...
) -> tuple[TradeDeal, ...] | None: ...
@_overload
def history_deals_get(*, ticket: int) -> tuple[TradeDeal, ...] | None: ...
@_overload
def history_deals_get(*, position: int) -> tuple[TradeDeal, ...] | None: ...

# -- the official pure-Python helpers -----------------------------------------------------

def Buy(  # noqa: N802
    symbol: str,
    volume: float,
    price: float | None = None,
    *,
    comment: str | None = None,
    ticket: int | None = None,
) -> OrderSendResult | None: ...
def Sell(  # noqa: N802
    symbol: str,
    volume: float,
    price: float | None = None,
    *,
    comment: str | None = None,
    ticket: int | None = None,
) -> OrderSendResult | None: ...
def Close(  # noqa: N802
    symbol: str, *, comment: str | None = None, ticket: int | None = None
) -> bool | str | None: ...

# -- extras (MetaTrader5.extras.FACE_EXTRAS; not in __all__) ------------------------------

def on_tick(callback: _Callable[[Tick], object], symbol: str | None = None) -> _Listener | None: ...
def on_book(
    callback: _Callable[[tuple[BookInfo, ...]], object], symbol: str
) -> _Listener | None: ...
def on_trade(callback: _Callable[[_Any], object]) -> _Listener | None: ...
def on_disconnect(callback: _Callable[[BaseException], object]) -> _Listener | None: ...
def server_time_offset() -> int | None: ...
def server_time_to_utc(value: float) -> _dt.datetime | None: ...
