"""Deal mechanics of one account: opening, reducing, reversing and closing-by positions.

A ``Desk`` applies already-validated fills to an account and its ledger, and records the
events in the order the wire needs them (spec 3.6.3, spec 7 item 7): history order first,
then each deal with the position's state after it and the account's money. Money: every deal
moves the balance by profit + commission + swap, so the balance is always the sum of deals.
"""

from __future__ import annotations

from MetaTrader5 import constants as c
from MetaTrader5.server.accounts import Account
from MetaTrader5.server.engine._money import Pricing
from MetaTrader5.server.engine.types import EventKind, TradeEvent
from MetaTrader5.server.ledger import (
    Deal,
    Ledger,
    Order,
    Position,
    TicketSequences,
    copy_deal,
    copy_order,
    copy_position,
    lots,
)
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath import round_money

__all__ = ["Desk"]


def _side(order: Order) -> int:
    """Deal/position direction of an order: buy types are even, sell types odd (spec 4.6)."""
    return order.type % 2


class Desk:
    """Applies fills to one account; collects the resulting events in ``events``."""

    def __init__(
        self, account: Account, ledger: Ledger, tickets: TicketSequences, pricing: Pricing,
        request_id: int = 0,
    ) -> None:
        self.account = account
        self.ledger = ledger
        self.tickets = tickets
        self.pricing = pricing
        self.request_id = request_id
        self.events: list[TradeEvent] = []

    # -- events ---------------------------------------------------------------------------
    def _event(
        self, kind: EventKind, time_msc: int, *, order: Order | None = None,
        deal: Deal | None = None, position: Position | None = None,
    ) -> None:
        """Record an event with copies of the records (they change after this)."""
        self._snapshot_event(
            kind, time_msc, copy_order(order) if order else None,
            copy_deal(deal) if deal else None, copy_position(position) if position else None,
        )  # fmt: skip

    def _snapshot_event(
        self, kind: EventKind, time_msc: int, order: Order | None, deal: Deal | None,
        position: Position | None,
    ) -> None:
        """Record an event whose records are already copies nobody else holds."""
        acc = self.account
        self.events.append(
            TradeEvent(
                kind, acc.login, time_msc, order, deal, position, acc.balance, acc.credit,
                acc.commission_daily, acc.commission_monthly, self.request_id,
            )
        )

    def order_event(self, order: Order, time_msc: int) -> None:
        self._event(EventKind.ORDER, time_msc, order=order)

    def order_delete_event(self, order: Order, time_msc: int) -> None:
        self._event(EventKind.ORDER_DELETE, time_msc, order=order)

    def history_event(self, order: Order, time_msc: int) -> None:
        self._event(EventKind.HISTORY_ORDER, time_msc, order=order)

    def position_event(self, position: Position, time_msc: int) -> None:
        self._event(EventKind.POSITION, time_msc, position=position)

    # -- money ----------------------------------------------------------------------------
    def _money(self, value: float) -> float:
        return round_money(value, self.account.currency_digits)

    def _book(self, deal: Deal) -> None:
        self.account.balance = self._money(
            self.account.balance + deal.profit + deal.commission + deal.swap + deal.fee
        )
        self.ledger.add_deal(deal)

    def balance_deal(self, amount: float, time_msc: int, comment: str, credit: bool) -> Deal:
        """A deposit/withdrawal (or credit) deal: empty symbol, no position (spec 3.6.3 b)."""
        deal = Deal(
            ticket=self.tickets.deal(), order=0, symbol="",
            type=c.DEAL_TYPE_CREDIT if credit else c.DEAL_TYPE_BALANCE, entry=c.DEAL_ENTRY_IN,
            volume=0, price=0.0, time_msc=time_msc, profit=self._money(amount), comment=comment,
        )
        if credit:
            # Credit is not balance: it lives beside it and the deal carries it (spec 3.3.1).
            self.account.credit = self._money(self.account.credit + deal.profit)
            self.ledger.add_deal(deal)
        else:
            self._book(deal)
        self._event(EventKind.DEAL, time_msc, deal=deal)
        return deal

    # -- fills ----------------------------------------------------------------------------
    def _deal(
        self, order: Order, spec: SymbolSpec, deal_type: int, entry: int, *, volume: int,
        price: float, time_msc: int, position_id: int,
    ) -> Deal:
        commission = -self._money(spec.commission_per_lot * lots(volume))
        return Deal(
            ticket=self.tickets.deal(), order=order.ticket, symbol=spec.name, type=deal_type,
            entry=entry, volume=volume, price=price, time_msc=time_msc,
            position_id=position_id, reason=order.reason, commission=commission,
            sl=order.sl, tp=order.tp, magic=order.magic, comment=order.comment,
        )

    def _realize(self, deal: Deal, spec: SymbolSpec, pos: Position, volume: int) -> None:
        """Put the profit and swap share of ``volume`` closed units of ``pos`` on ``deal``.

        The profit is trademath's ``order_calc_profit`` of the closed volume, converted into
        the account currency with the deal price as the traded symbol's own leg (spec 4.9).
        """
        deal.profit = self.pricing.deal_profit(
            self.account, spec, pos.type, volume=lots(volume), price_open=pos.price_open,
            price_close=deal.price,
        )
        share = self._money(pos.swap * volume / pos.volume) if pos.volume else 0.0
        pos.swap = self._money(pos.swap - share)
        deal.swap = share
        deal.price_position = pos.price_open

    def fill(
        self, order: Order, spec: SymbolSpec, price: float, time_msc: int,
        position: Position | None = None,
    ) -> list[Deal]:
        """Execute an order (market, or activated pending) of its volume at ``price``.

        Hedging: closes (part of) ``position`` when given, else opens a new position.
        Netting: merges with the symbol's position - adds, reduces, closes or reverses (INOUT).
        The order is filled and archived, and its events come before the deal's.
        """
        volume = order.volume_current
        order.state = c.ORDER_STATE_FILLED
        order.time_done_msc = time_msc
        order.volume_current = 0
        order.price_current = price
        if order.price_open == 0.0:
            order.price_open = price
        if not self.account.hedging and position is None:
            position = self.ledger.position_for_symbol(spec.name)
        deals: list[tuple[Deal, Position]] = []
        if position is None:
            deals.append(self._open(order, spec, volume, price, time_msc))
        elif position.type == _side(order):
            deals.append(self._add(order, spec, position, volume, price=price, time_msc=time_msc))
        else:
            deals.append(self._reduce(order, spec, position, volume, price=price,
                                      time_msc=time_msc))
        order.position_id = deals[0][0].position_id
        self.ledger.archive_order(order)
        self.history_event(order, time_msc)
        for deal, snapshot in deals:
            self._book(deal)
            # ``snapshot`` is already a copy (see _open/_add/_reduce).
            self._snapshot_event(EventKind.DEAL, time_msc, None, copy_deal(deal), snapshot)
        return [d for d, _ in deals]

    def _open(
        self, order: Order, spec: SymbolSpec, volume: int, price: float, time_msc: int
    ) -> tuple[Deal, Position]:
        pos = Position(
            ticket=order.ticket, symbol=spec.name, type=_side(order), volume=volume,
            price_open=price, time_msc=time_msc, time_update_msc=time_msc, sl=order.sl,
            tp=order.tp, price_current=price, magic=order.magic,
            reason=order.reason if order.reason <= c.ORDER_REASON_EXPERT else 0,
            comment=order.comment,
        )
        deal = self._deal(order, spec, _side(order), c.DEAL_ENTRY_IN, volume=volume, price=price,
                          time_msc=time_msc, position_id=pos.ticket)
        # The commission is in the balance through the IN deal; the position carries none, or
        # equity (trademath adds position commission to floating, spec 4.9) counts it twice.
        self.ledger.positions[pos.ticket] = pos
        return deal, copy_position(pos)

    def _add(
        self, order: Order, spec: SymbolSpec, pos: Position, volume: int, *, price: float,
        time_msc: int,
    ) -> tuple[Deal, Position]:
        # Netting: the position's price becomes the volume-weighted average (MT5 netting).
        total = pos.volume + volume
        pos.price_open = round((pos.price_open * pos.volume + price * volume) / total, 10)
        pos.volume = total
        pos.time_update_msc = time_msc
        pos.sl, pos.tp = order.sl or pos.sl, order.tp or pos.tp
        deal = self._deal(order, spec, _side(order), c.DEAL_ENTRY_IN, volume=volume, price=price,
                          time_msc=time_msc, position_id=pos.ticket)
        return deal, copy_position(pos)

    def _reduce(
        self, order: Order, spec: SymbolSpec, pos: Position, volume: int, *, price: float,
        time_msc: int,
    ) -> tuple[Deal, Position]:
        closed = min(volume, pos.volume)
        entry = c.DEAL_ENTRY_OUT if volume <= pos.volume else c.DEAL_ENTRY_INOUT
        deal = self._deal(order, spec, _side(order), entry, volume=volume, price=price,
                          time_msc=time_msc, position_id=pos.ticket)
        self._realize(deal, spec, pos, closed)
        pos.time_update_msc = time_msc
        if volume < pos.volume:
            pos.volume -= volume
            return deal, copy_position(pos)
        if volume == pos.volume:
            del self.ledger.positions[pos.ticket]
            snapshot = copy_position(pos)
            snapshot.volume, snapshot.price_current = 0, price
            return deal, snapshot
        # Netting reversal: the same position (same identifier) turns around (DEAL_ENTRY_INOUT).
        pos.type, pos.volume, pos.price_open = _side(order), volume - pos.volume, price
        pos.sl, pos.tp, pos.swap = order.sl, order.tp, 0.0
        return deal, copy_position(pos)

    def close_by(
        self, order: Order, spec: SymbolSpec, pos: Position, pos_by: Position, time_msc: int
    ) -> list[Deal]:
        """Close ``pos`` by the opposite ``pos_by`` for the smaller volume (two OUT_BY deals).

        Both legs are priced at ``pos_by``'s open price, so the whole result of the pair lands
        on the first deal and the second shows none.
        """
        volume = min(pos.volume, pos_by.volume)
        price = pos_by.price_open
        order.state, order.time_done_msc, order.volume_current = c.ORDER_STATE_FILLED, time_msc, 0
        order.position_id, order.position_by_id = pos.ticket, pos_by.ticket
        order.price_open = order.price_current = price
        self.ledger.archive_order(order)
        self.history_event(order, time_msc)
        deals = []
        for leg in (pos, pos_by):
            deal = self._deal(order, spec, 1 - leg.type, c.DEAL_ENTRY_OUT_BY, volume=volume,
                              price=price, time_msc=time_msc, position_id=leg.ticket)
            self._realize(deal, spec, leg, volume)
            leg.time_update_msc = time_msc
            if leg.volume > volume:
                leg.volume -= volume
                snapshot = copy_position(leg)
            else:
                del self.ledger.positions[leg.ticket]
                snapshot = copy_position(leg)
                snapshot.volume = 0
            self._book(deal)
            self._snapshot_event(EventKind.DEAL, time_msc, None, copy_deal(deal), snapshot)
            deals.append(deal)
        return deals
