"""Value types at the engine's seams: the request it takes, the outcome and events it gives back,
and the market view it reads prices and symbols from.

The request mirrors the 248-byte wire trade request (spec 3.7.1) in domain units (volume in
lots); the outcome mirrors the 128-byte result of push 19 (spec 3.7.2); events are the push-10
records (spec 3.6.3) and account changes a trade produced, in the order the wire needs them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from enum import StrEnum
from typing import Protocol

from MetaTrader5.server.ledger import Deal, Order, Position
from MetaTrader5.server.symbols import SymbolSpec

__all__ = [
    "EventKind",
    "MarketView",
    "TradeEvent",
    "TradeOutcome",
    "TradeRequest",
    "request_fingerprint",
]


class MarketView(Protocol):
    """What the engine needs to know about the market (implemented by the catalogue + feed)."""

    def spec(self, symbol: str) -> SymbolSpec | None:
        """The symbol's specification, or None for an unknown symbol."""

    def specs(self) -> Iterable[SymbolSpec]:
        """Every symbol of the market: the conversion symbols of the trade math (spec 4.9)."""

    def quote(self, symbol: str) -> tuple[float, float, int] | None:
        """The current (bid, ask, time_msc in server time), or None when there is no price."""

    def is_trading(self, symbol: str, server_ms: int) -> bool:
        """Whether the symbol's trade session is open at ``server_ms``."""

    def now_ms(self) -> int:
        """The current server time in ms (server wall-clock epoch, spec 4.3)."""


@dataclass(frozen=True, slots=True)
class TradeRequest:
    """A trade request (spec 3.7.1) in domain units: volume in lots, prices plain.

    ``trade_action`` is the WIRE action (spec 4.5): 1-4 market deal (all executed by the
    symbol's exemode), 5 pending, 6 SL/TP, 7 modify, 8 remove, 10 close by. For stop-limit
    orders ``price`` is the stop (activation) price and ``stoplimit`` the limit (spec 4.4).
    """

    request_id: int  # wire action_id
    trade_action: int
    symbol: str = ""
    volume: float = 0.0
    order: int = 0
    type: int = 0
    type_filling: int = 0
    type_time: int = 0
    price: float = 0.0  # wire price_order
    stoplimit: float = 0.0  # wire price_trigger
    sl: float = 0.0
    tp: float = 0.0
    deviation: int = 0
    comment: str = ""
    position: int = 0
    position_by: int = 0
    expiration: int = 0  # seconds, server time


def request_fingerprint(request: TradeRequest) -> bytes:
    """A digest of the request's content, for callers that do not have its raw wire bytes."""
    return hashlib.sha256(repr(astuple(request)).encode()).digest()


@dataclass(frozen=True, slots=True)
class TradeOutcome:
    """The final result of one request (spec 3.7.2 result block; API 5 OrderSendResult)."""

    retcode: int
    request: TradeRequest
    deal: int = 0
    order: int = 0
    volume: float = 0.0  # lots
    price: float = 0.0
    bid: float = 0.0
    ask: float = 0.0
    comment: str = ""
    time_msc: int = 0


class EventKind(StrEnum):
    """What a TradeEvent changes; the push-10 record it becomes (spec 3.6.3)."""

    #: An open (pending) order was added or replaced: flag_mask 0, transaction_type 0.
    ORDER = "order"
    #: An open order left the open list: flag_mask 0, transaction_type 2.
    ORDER_DELETE = "order_delete"
    #: An order entered history: flag_mask 1, transaction_type 0.
    HISTORY_ORDER = "history_order"
    #: A deal was added, with the position's state after it and the account's money:
    #: flag_mask 2, transaction_type 0. ``position.volume == 0`` signals a close (sent once);
    #: ``position is None`` for balance/credit deals (empty symbol, spec 3.6.3 rule b).
    DEAL = "deal"
    #: A position changed without a deal (SL/TP modify, swap accrual): flag_mask 2 with deal
    #: ticket 0 and the position record.
    POSITION = "position"


@dataclass(frozen=True, slots=True)
class TradeEvent:
    """One change to an account, carrying snapshots (copies) of the records it touched."""

    kind: EventKind
    login: int
    time_msc: int
    order: Order | None = None
    deal: Deal | None = None
    position: Position | None = None
    balance: float = 0.0
    credit: float = 0.0
    commission_daily: float = 0.0
    commission_monthly: float = 0.0
    #: The trade's request id when the event comes from a client request, else 0.
    request_id: int = 0
