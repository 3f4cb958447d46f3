"""Per-account storage of open orders, positions, history orders and deals, and ticket sequences.

MT5 ticket conventions (spec 3.6, API 5): orders and deals have separate, server-wide,
monotonically increasing ticket sequences; a position's ticket is the ticket of the order that
opened it and equals its identifier (``position_id`` of its orders and deals). Volumes are held
as integers in 10^-8 lots exactly as the wire carries them (spec 4.1); times in server-time ms.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, fields
from operator import attrgetter
from typing import Any

__all__ = [
    "LOT", "Deal", "Ledger", "Order", "Position", "TicketSequences", "copy_deal", "copy_order",
    "copy_position", "lots", "units",
]  # fmt: skip

#: Volume units per lot (spec 4.1).
LOT = 100_000_000


def units(volume_lots: float) -> int:
    """Lots -> 10^-8 lot units, via the shortest decimal repr so 0.1 lots is exactly 10^7."""
    return round(float(repr(float(volume_lots))) * LOT) if volume_lots else 0


def lots(volume_units: int) -> float:
    """10^-8 lot units -> lots, rounded to 8 decimals as the official client does."""
    return round(volume_units / LOT, 8)


@dataclass(slots=True)
class Order:
    """An order (open or history). Field names follow the official TradeOrder (API 5)."""

    ticket: int
    symbol: str
    type: int
    volume_initial: int
    volume_current: int
    price_open: float
    time_setup_msc: int
    state: int
    type_filling: int = 2
    type_time: int = 0
    time_expiration: int = 0  # seconds, server time; no ms part (spec 3.6.1)
    time_done_msc: int = 0
    price_stoplimit: float = 0.0
    sl: float = 0.0
    tp: float = 0.0
    price_current: float = 0.0
    magic: int = 0
    position_id: int = 0
    position_by_id: int = 0
    reason: int = 0
    comment: str = ""
    external_id: str = ""


@dataclass(slots=True)
class Position:
    """An open position. ``ticket`` == ``identifier`` == the opening order's ticket."""

    ticket: int
    symbol: str
    type: int  # POSITION_TYPE_BUY 0 / SELL 1
    volume: int
    price_open: float
    time_msc: int
    time_update_msc: int
    sl: float = 0.0
    tp: float = 0.0
    price_current: float = 0.0
    swap: float = 0.0
    profit: float = 0.0
    #: 0 from the engine: the entry commission is charged to the balance by the IN deal, and
    #: account math adds position commission to floating P/L (spec 4.9), so it would count twice.
    commission: float = 0.0
    magic: int = 0
    reason: int = 0
    comment: str = ""
    external_id: str = ""

    @property
    def identifier(self) -> int:
        return self.ticket


@dataclass(slots=True)
class Deal:
    """A deal. ``symbol`` is empty for balance operations (spec 3.6.3 rule b)."""

    ticket: int
    order: int
    symbol: str
    type: int
    entry: int
    volume: int
    price: float
    time_msc: int
    position_id: int = 0
    reason: int = 0
    commission: float = 0.0
    swap: float = 0.0
    profit: float = 0.0
    fee: float = 0.0
    sl: float = 0.0
    tp: float = 0.0
    #: The position's open price at the time of an exit deal (wire ``price_close``, spec 3.6.2).
    price_position: float = 0.0
    magic: int = 0
    comment: str = ""
    external_id: str = ""


# Snapshots are taken several times per trade (events carry copies): one C attrgetter and a
# positional __init__ cost a fifth of ``dataclasses.replace``.
_ORDER_VALUES = attrgetter(*(f.name for f in fields(Order)))
_POSITION_VALUES = attrgetter(*(f.name for f in fields(Position)))
_DEAL_VALUES = attrgetter(*(f.name for f in fields(Deal)))


def copy_order(order: Order) -> Order:
    """An independent copy of ``order`` (same field values)."""
    return Order(*_ORDER_VALUES(order))


def copy_position(position: Position) -> Position:
    """An independent copy of ``position`` (same field values)."""
    return Position(*_POSITION_VALUES(position))


def copy_deal(deal: Deal) -> Deal:
    """An independent copy of ``deal`` (same field values)."""
    return Deal(*_DEAL_VALUES(deal))


def _record_from(cls: type[Any], data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class TicketSequences:
    """Server-wide ticket counters; the next ticket handed out is the stored value."""

    next_order: int = 1_000_001
    next_deal: int = 500_001

    def order(self) -> int:
        ticket = self.next_order
        self.next_order += 1
        return ticket

    def deal(self) -> int:
        ticket = self.next_deal
        self.next_deal += 1
        return ticket


class Ledger:
    """Orders, positions and history of one account, with the lookups history queries need."""

    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}
        self.positions: dict[int, Position] = {}
        self._history_orders: list[Order] = []  # sorted by time_done_msc (append order)
        self._history_by_ticket: dict[int, Order] = {}
        self._deals: list[Deal] = []  # sorted by time_msc (append order)
        self._deals_by_ticket: dict[int, Deal] = {}

    # -- mutation -------------------------------------------------------------------------
    def add_order(self, order: Order) -> None:
        self.orders[order.ticket] = order

    def archive_order(self, order: Order) -> None:
        """Move an order to history (it may never have been open, like a market order)."""
        self.orders.pop(order.ticket, None)
        self._insert_sorted(self._history_orders, order, order.time_done_msc, _done_key)
        self._history_by_ticket[order.ticket] = order

    def add_deal(self, deal: Deal) -> None:
        self._insert_sorted(self._deals, deal, deal.time_msc, _deal_key)
        self._deals_by_ticket[deal.ticket] = deal

    @staticmethod
    def _insert_sorted(items: list[Any], item: Any, key: int, keyf: Any) -> None:
        # Server time only moves forward, so this is an append except after clock corrections.
        if not items or keyf(items[-1]) <= key:
            items.append(item)
        else:
            items.insert(bisect.bisect_right([keyf(x) for x in items], key), item)

    # -- queries --------------------------------------------------------------------------
    def position_for_symbol(self, symbol: str) -> Position | None:
        """The netting position of ``symbol`` (at most one on a netting account)."""
        return next((p for p in self.positions.values() if p.symbol == symbol), None)

    def history_orders(self, from_ms: int, to_ms: int) -> list[Order]:
        """History orders whose time_done lies in [from_ms, to_ms] (server time)."""
        keys = [o.time_done_msc for o in self._history_orders]
        lo, hi = bisect.bisect_left(keys, from_ms), bisect.bisect_right(keys, to_ms)
        return self._history_orders[lo:hi]

    def deals(self, from_ms: int, to_ms: int) -> list[Deal]:
        """Deals whose time lies in [from_ms, to_ms] (server time)."""
        keys = [d.time_msc for d in self._deals]
        lo, hi = bisect.bisect_left(keys, from_ms), bisect.bisect_right(keys, to_ms)
        return self._deals[lo:hi]

    def all_history_orders(self) -> list[Order]:
        return list(self._history_orders)

    def all_deals(self) -> list[Deal]:
        return list(self._deals)

    def history_order(self, ticket: int) -> Order | None:
        return self._history_by_ticket.get(ticket)

    def history_orders_by_position(self, position_id: int) -> list[Order]:
        return [o for o in self._history_orders if o.position_id == position_id]

    def deal(self, ticket: int) -> Deal | None:
        return self._deals_by_ticket.get(ticket)

    def deals_by_order(self, order_ticket: int) -> list[Deal]:
        """Deals of an order: history_deals_get(ticket=) filters by DEAL_ORDER (API 4)."""
        return [d for d in self._deals if d.order == order_ticket]

    def deals_by_position(self, position_id: int) -> list[Deal]:
        return [d for d in self._deals if d.position_id == position_id]

    # -- persistence ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "orders": [asdict(o) for o in self.orders.values()],
            "positions": [asdict(p) for p in self.positions.values()],
            "history_orders": [asdict(o) for o in self._history_orders],
            "deals": [asdict(d) for d in self._deals],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ledger:
        ledger = cls()
        for item in data["orders"]:
            order: Order = _record_from(Order, item)
            ledger.orders[order.ticket] = order
        for item in data["positions"]:
            position: Position = _record_from(Position, item)
            ledger.positions[position.ticket] = position
        for item in data["history_orders"]:
            ledger.archive_order(_record_from(Order, item))
        for item in data["deals"]:
            ledger.add_deal(_record_from(Deal, item))
        return ledger


def _done_key(order: Order) -> int:
    return order.time_done_msc


def _deal_key(deal: Deal) -> int:
    return deal.time_msc
