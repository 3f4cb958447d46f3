"""Trade history (cmd 5, spec 3.6.2): history orders and deals as official records.

Bounds are server-time seconds passed through unchanged (spec 4.3); 0 means open ("0, 0" =
all history, ``to`` 0 = until now). The ticket and position forms of the official
``history_*_get`` ask for the whole history and select locally; for deals, ``ticket`` is the
ORDER ticket (API.md 4: DEAL_ORDER) and ``position`` the position id. ``magic`` is filled
from the client's :class:`~._magic.MagicBook` where the wire says 0 (spec 4.5).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from MetaTrader5.protocol import Command, bulk
from MetaTrader5.protocol.messages import encode_history_request
from MetaTrader5.protocol.schemas.trading import HistoryRequest
from MetaTrader5.records import TradeDeal, TradeOrder

from ._magic import MagicBook
from ._records import deals_to_records, orders_to_records

__all__ = ["HistoryService"]

Requester = Callable[[int, bytes], Awaitable[memoryview]]

#: The wire bounds are i32 seconds (spec 3.6.2).
_I32_MAX = 2**31 - 1


def _bound(value: int) -> int:
    return min(max(int(value), 0), _I32_MAX)


class HistoryService:
    """cmd 5 queries of one client."""

    def __init__(self, request: Requester, magic: MagicBook | None = None) -> None:
        self._request = request
        self.magic = magic if magic is not None else MagicBook()

    async def fetch(self, date_from: int, date_to: int) -> tuple[bulk.Array, bulk.Array]:
        """(deals, history orders) arrays of ``[date_from, date_to]``."""
        body = await self._request(
            Command.TRADE_HISTORY,
            encode_history_request(HistoryRequest(_bound(date_from), _bound(date_to))),
        )
        return bulk.decode_history_arrays(body)

    async def orders_total(self, date_from: int, date_to: int) -> int:
        return len((await self.fetch(date_from, date_to))[1])

    async def deals_total(self, date_from: int, date_to: int) -> int:
        return len((await self.fetch(date_from, date_to))[0])

    async def orders(
        self, date_from: int = 0, date_to: int = 0, *, ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeOrder, ...]:
        """History orders of a range, or the order ``ticket``, or those of ``position``."""
        if ticket is not None or position is not None:
            date_from = date_to = 0
        _deals, orders = await self.fetch(date_from, date_to)
        if ticket is not None:
            orders = orders[orders["ticket"] == ticket]
        elif position is not None:
            orders = orders[orders["position_id"] == position]
        return orders_to_records(orders, self.magic.orders(orders))

    async def deals(
        self, date_from: int = 0, date_to: int = 0, *, ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeDeal, ...]:
        """Deals of a range, or those of the ORDER ``ticket``, or those of ``position``."""
        if ticket is not None or position is not None:
            date_from = date_to = 0
        deals, _orders = await self.fetch(date_from, date_to)
        if ticket is not None:
            deals = deals[deals["order"] == ticket]
        elif position is not None:
            deals = deals[deals["position_id"] == position]
        return deals_to_records(deals, self.magic.deals(deals))
