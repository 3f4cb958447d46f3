"""Magic numbers of this client's own trades, kept locally (the wire request has none).

A Web Terminal trade request carries no magic field (spec 4.5), so a server fills the
``magic`` ("expert") of the orders, deals and positions it creates for a web client with 0.
Strategies written for the official package tag their requests with ``magic`` and filter by
it, so the client remembers the request's magic of every order ticket its own ``order_send``
got back, and fills the records it builds whose wire ``magic`` is 0:

* an order ticket returned for a DEAL, PENDING or CLOSE_BY request maps to that request's
  magic (a market deal's position ticket is its order ticket; a pending order keeps its
  ticket when it triggers);
* ``TradePosition``: by ``identifier`` (the ticket of the order that opened it);
* ``TradeOrder``: by ``ticket``; a server's SL / TP / stop-out order (reason 4, 5, 6) takes
  the magic of the position it closes, as MT5 reports it;
* ``TradeDeal``: by ``order``; a server-initiated deal (reason SL, TP, SO) takes the magic of
  its position. A deal of one of our closing requests carries that request's magic (0 if it
  had none), as in MT5.

A non-zero wire value is never overridden (a real server may send one, e.g. for trades of a
desktop terminal). Trades of other clients, other processes or terminals stay 0, and so do
our own after ``close()`` (the book is forgotten) and in the ``on_trade`` records of a push 10
that arrived before the matching result (spec 7.7). The book is bounded (least recently used
tickets are dropped beyond ``capacity``) and, like all client state, used from the loop
thread only.
"""

from __future__ import annotations

from collections import OrderedDict

from MetaTrader5.protocol import bulk

from ._checks import CLOSE_BY, DEAL, PENDING

__all__ = ["MagicBook", "DEFAULT_CAPACITY"]

#: Tickets remembered at most (about 10 MB at worst).
DEFAULT_CAPACITY = 100_000
#: ORDER_REASON_* / DEAL_REASON_* of the server's own SL, TP and stop-out closes.
_SERVER_REASONS = frozenset((4, 5, 6))
#: The requests that create an order (MODIFY, REMOVE and SLTP leave its magic alone).
_CREATING_ACTIONS = frozenset((DEAL, PENDING, CLOSE_BY))


class MagicBook:
    """Order ticket -> request magic of this client's trades (see the module docstring)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = max(1, capacity)
        self._magic: OrderedDict[int, int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._magic)

    def remember(self, action: int, order: int, magic: int) -> None:
        """Record the magic of the order ``order`` created by our request of ``action``."""
        if not magic or not order or action not in _CREATING_ACTIONS:
            return  # a 0 magic is what the wire says anyway; MODIFY/REMOVE/SLTP keep theirs
        self._magic[order] = magic
        self._magic.move_to_end(order)
        while len(self._magic) > self.capacity:
            self._magic.popitem(last=False)

    def clear(self) -> None:
        self._magic.clear()

    def _get(self, ticket: int) -> int | None:
        magic = self._magic.get(ticket)
        if magic is not None:
            self._magic.move_to_end(ticket)  # still in use: least recently used goes first
        return magic

    # --- one record ---------------------------------------------------------------------------

    def position(self, identifier: int, wire: int) -> int:
        """Magic of a position: the wire's, else that of its opening order."""
        if wire or not self._magic:
            return wire
        return self._get(identifier) or 0

    def order(self, ticket: int, position_id: int, reason: int, wire: int) -> int:
        """Magic of an order: the wire's, else ours, else its position's for SL/TP/SO."""
        if wire or not self._magic:
            return wire
        magic = self._get(ticket)
        if magic is None and reason in _SERVER_REASONS and position_id:
            magic = self._get(position_id)
        return magic or 0

    def deal(self, order: int, position_id: int, reason: int, wire: int) -> int:
        """Magic of a deal: the wire's, else its order's, else its position's for SL/TP/SO."""
        return self.order(order, position_id, reason, wire)

    # --- columns of wire arrays ---------------------------------------------------------------

    def positions(self, arr: bulk.Array) -> list[int]:
        """``magic`` column of a POSITION_DTYPE array, filled."""
        wire: list[int] = arr["magic"].tolist()
        if not self._magic:
            return wire
        return [self.position(i, w) for i, w in zip(arr["position_id"].tolist(), wire, strict=True)]

    def orders(self, arr: bulk.Array) -> list[int]:
        """``magic`` column of an ORDER_DTYPE array, filled."""
        return self._fill(arr, "ticket")

    def deals(self, arr: bulk.Array) -> list[int]:
        """``magic`` column of a DEAL_DTYPE array, filled."""
        return self._fill(arr, "order")

    def _fill(self, arr: bulk.Array, ticket_field: str) -> list[int]:
        wire: list[int] = arr["magic"].tolist()
        if not self._magic:
            return wire
        return [
            self.order(t, p, r, w)
            for t, p, r, w in zip(arr[ticket_field].tolist(), arr["position_id"].tolist(),
                                  arr["reason"].tolist(), wire, strict=True)
        ]  # fmt: skip
