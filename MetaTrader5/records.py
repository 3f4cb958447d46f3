"""Result types and numpy dtypes of the official package (5.0.6231).

The official module returns CPython structseq objects (API.md 2.7). Ours are
``typing.NamedTuple`` classes that behave the same where it is observable: a tuple
subclass in the official field order, ``repr`` ``Name(field=value, ...)``, a shallow
``_asdict()`` and a constructor that takes ONE sequence (``TradeRequest((...))``, a wrong
length raises ``TypeError`` like structseq). What differs (``_fields``, ``_replace``,
``_make``, ``__module__``) is listed in docs/compat_differences.md.

The rest of the package builds records in bulk with ``Cls._from_sequence(values)``, which
skips the length check (the caller's layout guarantees it).
"""

# No ``from __future__ import annotations`` here, on purpose: typing.NamedTuple turns every
# string annotation into a ForwardRef compiled with ``compile()`` (about 270 of them, a third
# of this package's import time, docs/benchmarks.rst P5); real types are checked for free.

from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np

__all__ = [
    "AccountInfo",
    "TerminalInfo",
    "SymbolInfo",
    "Tick",
    "BookInfo",
    "TradeOrder",
    "TradePosition",
    "TradeDeal",
    "TradeRequest",
    "OrderSendResult",
    "OrderCheckResult",
    "RECORD_TYPES",
    "RATES_DTYPE",
    "TICKS_DTYPE",
]

#: Packed (align=False) dtype of copy_rates_* results; itemsize 60.
RATES_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("open", "<f8"),
        ("high", "<f8"),
        ("low", "<f8"),
        ("close", "<f8"),
        ("tick_volume", "<u8"),
        ("spread", "<i4"),
        ("real_volume", "<u8"),
    ]
)

#: Packed (align=False) dtype of copy_ticks_* results; itemsize 60.
TICKS_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("bid", "<f8"),
        ("ask", "<f8"),
        ("last", "<f8"),
        ("volume", "<u8"),
        ("time_msc", "<i8"),
        ("flags", "<u4"),
        ("volume_real", "<f8"),
    ]
)


class _Record(tuple[Any, ...]):
    """Behaviour shared by the 11 result types (structseq-like construction, pickling)."""

    __slots__ = ()
    _size: ClassVar[int] = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # _fields comes from the NamedTuple base; mypy cannot type it through the mixin.
        cls._size = len(getattr(cls, "_fields"))  # noqa: B009

    def __new__(cls, sequence: Iterable[Any], /) -> Self:
        # structseq_new: the argument goes through PySequence_Fast, then an exact length check.
        try:
            values = tuple(sequence)
        except TypeError:
            raise TypeError("constructor requires a sequence") from None
        size = cls._size
        if len(values) != size:
            raise TypeError(
                f"{cls.__name__}() takes a {size}-sequence ({len(values)}-sequence given)"
            )
        return tuple.__new__(cls, values)

    @classmethod
    def _from_sequence(cls, values: Iterable[Any]) -> Self:
        """Build without the length check (internal fast path for bulk decoding)."""
        return tuple.__new__(cls, values)

    def __reduce__(self) -> tuple[Any, ...]:
        # namedtuple pickles via __getnewargs__ (one argument per field); our constructor
        # takes a single sequence, like structseq.
        return (type(self), (tuple(self),))


class _AccountInfoFields(NamedTuple):
    login: int
    trade_mode: int
    leverage: int
    limit_orders: int
    margin_so_mode: int
    trade_allowed: bool
    trade_expert: bool
    margin_mode: int
    currency_digits: int
    fifo_close: bool
    balance: float
    credit: float
    profit: float
    equity: float
    margin: float
    margin_free: float
    margin_level: float
    margin_so_call: float
    margin_so_so: float
    margin_initial: float
    margin_maintenance: float
    assets: float
    liabilities: float
    commission_blocked: float
    name: str
    server: str
    currency: str
    company: str


class AccountInfo(_Record, _AccountInfoFields):
    """``AccountInfo`` result (28 fields, official order)."""

    __slots__ = ()


class _TerminalInfoFields(NamedTuple):
    community_account: bool
    community_connection: bool
    connected: bool
    dlls_allowed: bool
    trade_allowed: bool
    tradeapi_disabled: bool
    email_enabled: bool
    ftp_enabled: bool
    notifications_enabled: bool
    mqid: bool
    build: int
    maxbars: int
    codepage: int
    ping_last: int
    community_balance: float
    retransmission: float
    company: str
    name: str
    language: str
    path: str
    data_path: str
    commondata_path: str


class TerminalInfo(_Record, _TerminalInfoFields):
    """``TerminalInfo`` result (22 fields, official order)."""

    __slots__ = ()


class _SymbolInfoFields(NamedTuple):
    custom: bool
    chart_mode: int
    select: bool
    visible: bool
    session_deals: int
    session_buy_orders: int
    session_sell_orders: int
    volume: int
    volumehigh: int
    volumelow: int
    time: int
    digits: int
    spread: int
    spread_float: bool
    ticks_bookdepth: int
    trade_calc_mode: int
    trade_mode: int
    start_time: int
    expiration_time: int
    trade_stops_level: int
    trade_freeze_level: int
    trade_exemode: int
    swap_mode: int
    swap_rollover3days: int
    margin_hedged_use_leg: bool
    expiration_mode: int
    filling_mode: int
    order_mode: int
    order_gtc_mode: int
    option_mode: int
    option_right: int
    bid: float
    bidhigh: float
    bidlow: float
    ask: float
    askhigh: float
    asklow: float
    last: float
    lasthigh: float
    lastlow: float
    volume_real: float
    volumehigh_real: float
    volumelow_real: float
    option_strike: float
    point: float
    trade_tick_value: float
    trade_tick_value_profit: float
    trade_tick_value_loss: float
    trade_tick_size: float
    trade_contract_size: float
    trade_accrued_interest: float
    trade_face_value: float
    trade_liquidity_rate: float
    volume_min: float
    volume_max: float
    volume_step: float
    volume_limit: float
    swap_long: float
    swap_short: float
    margin_initial: float
    margin_maintenance: float
    session_volume: float
    session_turnover: float
    session_interest: float
    session_buy_orders_volume: float
    session_sell_orders_volume: float
    session_open: float
    session_close: float
    session_aw: float
    session_price_settlement: float
    session_price_limit_min: float
    session_price_limit_max: float
    margin_hedged: float
    price_change: float
    price_volatility: float
    price_theoretical: float
    price_greeks_delta: float
    price_greeks_theta: float
    price_greeks_gamma: float
    price_greeks_vega: float
    price_greeks_rho: float
    price_greeks_omega: float
    price_sensitivity: float
    basis: str
    category: str
    currency_base: str
    currency_profit: str
    currency_margin: str
    bank: str
    description: str
    exchange: str
    formula: str
    isin: str
    name: str
    page: str
    path: str


class SymbolInfo(_Record, _SymbolInfoFields):
    """``SymbolInfo`` result (96 fields, official order)."""

    __slots__ = ()


class _TickFields(NamedTuple):
    time: int
    bid: float
    ask: float
    last: float
    volume: int
    time_msc: int
    flags: int
    volume_real: float


class Tick(_Record, _TickFields):
    """``Tick`` result (8 fields, official order)."""

    __slots__ = ()


class _BookInfoFields(NamedTuple):
    type: int
    price: float
    volume: int
    volume_dbl: float


class BookInfo(_Record, _BookInfoFields):
    """``BookInfo`` result (4 fields, official order)."""

    __slots__ = ()


class _TradeOrderFields(NamedTuple):
    ticket: int
    time_setup: int
    time_setup_msc: int
    time_done: int
    time_done_msc: int
    time_expiration: int
    type: int
    type_time: int
    type_filling: int
    state: int
    magic: int
    position_id: int
    position_by_id: int
    reason: int
    volume_initial: float
    volume_current: float
    price_open: float
    sl: float
    tp: float
    price_current: float
    price_stoplimit: float
    symbol: str
    comment: str
    external_id: str


class TradeOrder(_Record, _TradeOrderFields):
    """``TradeOrder`` result (24 fields, official order)."""

    __slots__ = ()


class _TradePositionFields(NamedTuple):
    ticket: int
    time: int
    time_msc: int
    time_update: int
    time_update_msc: int
    type: int
    magic: int
    identifier: int
    reason: int
    volume: float
    price_open: float
    sl: float
    tp: float
    price_current: float
    swap: float
    profit: float
    symbol: str
    comment: str
    external_id: str


class TradePosition(_Record, _TradePositionFields):
    """``TradePosition`` result (19 fields, official order)."""

    __slots__ = ()


class _TradeDealFields(NamedTuple):
    ticket: int
    order: int
    time: int
    time_msc: int
    type: int
    entry: int
    magic: int
    position_id: int
    reason: int
    volume: float
    price: float
    commission: float
    swap: float
    profit: float
    fee: float
    symbol: str
    comment: str
    external_id: str


class TradeDeal(_Record, _TradeDealFields):
    """``TradeDeal`` result (18 fields, official order)."""

    __slots__ = ()


class _TradeRequestFields(NamedTuple):
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


class TradeRequest(_Record, _TradeRequestFields):
    """``TradeRequest`` result (17 fields, official order)."""

    __slots__ = ()


class _OrderSendResultFields(NamedTuple):
    retcode: int
    deal: int
    order: int
    volume: float
    price: float
    bid: float
    ask: float
    comment: str
    request_id: int
    retcode_external: int
    request: TradeRequest


class OrderSendResult(_Record, _OrderSendResultFields):
    """``OrderSendResult`` result (11 fields, official order)."""

    __slots__ = ()


class _OrderCheckResultFields(NamedTuple):
    retcode: int
    balance: float
    equity: float
    profit: float
    margin: float
    margin_free: float
    margin_level: float
    comment: str
    request: TradeRequest


class OrderCheckResult(_Record, _OrderCheckResultFields):
    """``OrderCheckResult`` result (9 fields, official order)."""

    __slots__ = ()


#: The 11 result types, in the order of API.md section 5.
RECORD_TYPES: tuple[type[_Record], ...] = (
    AccountInfo,
    TerminalInfo,
    SymbolInfo,
    Tick,
    BookInfo,
    TradeOrder,
    TradePosition,
    TradeDeal,
    TradeRequest,
    OrderSendResult,
    OrderCheckResult,
)
