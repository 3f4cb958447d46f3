"""Live account state: the account block, open positions and orders, and computed figures.

* The account block (cmd 3, push 14, spec 3.3) is replaced whole by each push 14.
* Positions and orders start from the cmd 4 snapshot (spec 3.6.1) and follow push 10
  (spec 3.6.3): order records (flag 0) add/replace/delete open orders; deal records carry a
  position part (volume > 0 inserts or replaces, volume 0 removes; looked up by position id,
  by symbol when the id is 0) and, for a new deal, the balance, credit, accrued commissions
  and ``acc_profit`` of the account. Each change is published as a :class:`TradeEvent`.
* Rows are kept as single-row numpy arrays of the protocol dtypes, so every read goes
  through the same vectorised conversion to official records (``_records``).
* Profit, equity, margin, free margin and margin level are never sent (spec 4.9): they are
  computed here with the shared trade math from the positions and the tick stream.
* ``magic`` is never sent for a web client's trades (spec 4.5): records take it from the
  client's :class:`~._magic.MagicBook` where the wire says 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from MetaTrader5.protocol import bulk
from MetaTrader5.protocol.assumptions import ACCOUNT_TYPE_TO_TRADE_MODE
from MetaTrader5.protocol.messages import AccountInfo as WireAccount
from MetaTrader5.protocol.messages import DealTransaction, TradeUpdate
from MetaTrader5.protocol.schemas.trading import Deal, Order, OrderTransaction, Position
from MetaTrader5.records import AccountInfo, TradeDeal, TradeOrder, TradePosition
from MetaTrader5.trademath import (
    AccountSnapshot,
    AccountTerms,
    ContractSpec,
    QuoteLookup,
    SymbolIndex,
    account_snapshot,
    close_price,
    position_profit,
    round_money,
)
from MetaTrader5.trademath import Position as MathPosition

from ._magic import MagicBook
from ._records import (
    deal_record,
    order_record,
    orders_to_records,
    position_record,
    positions_to_records,
    stack,
)

__all__ = ["AccountState", "TradeEvent"]

#: spec 3.6.3: transaction types.
_ADD, _UPDATE, _DELETE = 0, 1, 2
_ACTIONS = {_ADD: "add", _UPDATE: "update", _DELETE: "delete"}


@dataclass(frozen=True, slots=True)
class TradeEvent:
    """One decoded push 10 change: ``kind`` is "order" (open order), "history_order",
    "deal" or "position"; ``action`` is "add", "update" or "delete"."""

    kind: str
    action: str
    record: TradeOrder | TradeDeal | TradePosition
    transaction_id: int = 0


def _row(record: Position | Order, dtype: np.dtype[Any]) -> bulk.Array:
    return np.frombuffer(record.encode(), dtype).copy()


class AccountState:
    """The account block, positions and orders of one session (survives reconnects)."""

    def __init__(self, magic: MagicBook | None = None) -> None:
        self.login = 0
        self.magic = magic if magic is not None else MagicBook()
        self.block: WireAccount | None = None
        self.balance = 0.0
        self.credit = 0.0
        self.commission_daily = 0.0
        self.commission_monthly = 0.0
        self.acc_profit = 0.0
        self.positions: dict[int, bulk.Array] = {}
        self.orders: dict[int, bulk.Array] = {}
        # Symbol of each position / order, so lookups never decode a UTF-16 row again.
        self._position_symbols: dict[int, str] = {}
        self._order_symbols: dict[int, str] = {}
        #: (positions, orders), replaced whole after every change: readable from any thread.
        self.totals: tuple[int, int] = (0, 0)
        self.loaded = False

    # --- inputs ----------------------------------------------------------------------------

    def set_block(self, block: WireAccount) -> None:
        """cmd 3 / push 14: the whole block replaces the previous one (spec 3.3)."""
        self.block = block
        head = block.header
        self.balance, self.credit = head.balance, head.credit
        self.commission_daily = head.commission_daily
        self.commission_monthly = head.commission_monthly
        self.acc_profit = head.acc_profit

    def load_snapshot(self, body: memoryview) -> None:
        """cmd 4 answer (spec 3.6.1): replaces every position and order."""
        positions, orders = bulk.decode_positions_orders_arrays(body)
        position_ids = [int(t) for t in positions["position_id"].tolist()]
        order_ids = [int(t) for t in orders["ticket"].tolist()]
        self.positions = {t: positions[i : i + 1].copy() for i, t in enumerate(position_ids)}
        self.orders = {t: orders[i : i + 1].copy() for i, t in enumerate(order_ids)}
        self._position_symbols = dict(zip(position_ids, _symbols(positions), strict=True))
        self._order_symbols = dict(zip(order_ids, _symbols(orders), strict=True))
        self.totals = (len(self.positions), len(self.orders))
        self.loaded = True

    def apply_update(self, update: TradeUpdate) -> list[TradeEvent]:
        """Push 10 (spec 3.6.3); returns the changes it made."""
        events: list[TradeEvent] = []
        for item in update:
            if isinstance(item, OrderTransaction):
                events.extend(self._order_tx(item))
            elif isinstance(item, DealTransaction):
                events.extend(self._deal_tx(item))
        self.totals = (len(self.positions), len(self.orders))
        return events

    def _order_tx(self, tx: OrderTransaction) -> list[TradeEvent]:
        action = _ACTIONS.get(tx.transaction_type, "update")
        o = tx.order
        record = order_record(o, self.magic.order(o.ticket, o.position_id, o.reason, o.magic))
        if tx.flag_mask == 0:
            ticket = tx.order.ticket
            if tx.transaction_type == _DELETE:
                self.orders.pop(ticket, None)
                self._order_symbols.pop(ticket, None)
            else:
                self.orders[ticket] = _row(tx.order, bulk.ORDER_DTYPE)
                self._order_symbols[ticket] = tx.order.trade_symbol
            return [TradeEvent("order", action, record, tx.transaction_id)]
        return [TradeEvent("history_order", action, record, tx.transaction_id)]

    def _deal_tx(self, tx: DealTransaction) -> list[TradeEvent]:
        head = tx.head
        deal, position = head.deal, head.position
        if head.transaction_type == _ADD and deal.ticket:
            self.balance, self.credit = head.balance, head.credit
            self.commission_daily = head.commission_daily
            self.commission_monthly = head.commission_monthly
            self.acc_profit = head.acc_profit
        events: list[TradeEvent] = []
        if position.trade_symbol or deal.trade_symbol:
            change = self._position(position)
            if change is None:
                return events  # spec 3.6.3: the JS drops the whole record
            events.append(TradeEvent("position", change, self._position_record(position),
                                     head.transaction_id))  # fmt: skip
        if deal.ticket:
            action = _ACTIONS.get(head.transaction_type, "update")
            events.append(TradeEvent("deal", action, self._deal_record(deal),
                                     head.transaction_id))  # fmt: skip
        for extra in tx.extra_deals:
            if extra.ticket:
                events.append(TradeEvent("deal", "add", self._deal_record(extra),
                                         head.transaction_id))  # fmt: skip
        for extra_position in tx.extra_positions:
            change = self._position(extra_position)
            if change is not None:
                events.append(TradeEvent("position", change,
                                         self._position_record(extra_position),
                                         head.transaction_id))  # fmt: skip
        return events

    def _position_record(self, p: Position) -> TradePosition:
        return position_record(p, self.magic.position(p.position_id, p.magic))

    def _deal_record(self, d: Deal) -> TradeDeal:
        return deal_record(d, self.magic.deal(d.order, d.position_id, d.reason, d.magic))

    def _position(self, position: Position) -> str | None:
        key = position.position_id
        if key == 0:  # netting: looked up by symbol
            key = next((t for t, name in self._position_symbols.items()
                        if name == position.trade_symbol), 0)  # fmt: skip
        if position.volume > 0:
            known = key in self.positions
            key = key or position.position_id
            self.positions[key] = _row(position, bulk.POSITION_DTYPE)
            self._position_symbols[key] = position.trade_symbol
            return "update" if known else "add"
        if key not in self.positions:
            return None
        del self.positions[key]
        self._position_symbols.pop(key, None)
        return "delete"

    # --- reads -----------------------------------------------------------------------------

    def symbols_in_use(self) -> set[str]:
        """Symbols with an open position or order."""
        return set(self._position_symbols.values()) | set(self._order_symbols.values())

    def terms(self) -> AccountTerms:
        head = self._header()
        return AccountTerms(
            currency=head.currency, leverage=max(head.leverage, 1),
            margin_mode=head.margin_mode, currency_digits=head.currency_digits,
            margin_free_mode=head.margin_free_mode,
            margin_free_profit_mode=head.margin_free_profit_mode,
            margin_so_mode=head.margin_so_mode, margin_so_call=head.margin_so_call,
            margin_so_so=head.margin_so_so,
        )  # fmt: skip

    def _header(self) -> Any:
        if self.block is None:
            raise RuntimeError("account block not loaded yet")
        return self.block.header

    def math_positions(self) -> list[MathPosition]:
        arr = stack(list(self.positions.values()), bulk.POSITION_DTYPE)
        symbols = bulk.decode_utf16_column(arr["trade_symbol"]).tolist() if len(arr) else []
        return [
            MathPosition(sym, kind, round(vol / 1e8, 8), price, swap, commission)
            for sym, kind, vol, price, swap, commission in zip(
                symbols, arr["type"].tolist(), arr["volume"].tolist(),
                arr["price_open"].tolist(), arr["swap"].tolist(), arr["commission"].tolist(),
                strict=True,
            )
        ]  # fmt: skip

    def position_records(
        self, specs: dict[str, ContractSpec], index: SymbolIndex | None, quotes: QuoteLookup
    ) -> tuple[TradePosition, ...]:
        """Open positions with price_current and profit refreshed from the stream (spec 4.9)."""
        arr = stack(list(self.positions.values()), bulk.POSITION_DTYPE)
        if not len(arr):
            return ()
        magic = self.magic.positions(arr)
        currency = self._header().currency
        prices, profits = arr["price_current"].tolist(), arr["profit"].tolist()
        for i, pos in enumerate(self.math_positions()):
            quote = quotes(pos.symbol)
            spec = specs.get(pos.symbol)
            if quote is None or spec is None or index is None:
                continue  # no live quote yet: the server's last values stay
            try:
                profits[i] = round_money(position_profit(spec, pos, currency, index, quotes),
                                         self._header().currency_digits)  # fmt: skip
                prices[i] = close_price(pos.type, *quote)
            except (LookupError, ValueError):
                continue
        return positions_to_records(arr, prices, profits, magic)

    def order_records(self) -> tuple[TradeOrder, ...]:
        arr = stack(list(self.orders.values()), bulk.ORDER_DTYPE)
        return orders_to_records(arr, self.magic.orders(arr))

    def snapshot(
        self, specs: dict[str, ContractSpec], index: SymbolIndex, quotes: QuoteLookup,
        extra: list[MathPosition] | None = None,
    ) -> AccountSnapshot:
        """Equity, margin, free margin and margin level at the current quotes (spec 4.9)."""
        held = self.math_positions() + (extra or [])
        return account_snapshot(
            self.balance, self.credit, held, specs, self.terms(), index, quotes,
            commission_daily=self.commission_daily,
            commission_monthly=self.commission_monthly, acc_profit=self.acc_profit,
        )  # fmt: skip

    def account_info(self, snap: AccountSnapshot) -> AccountInfo:
        """The official ``AccountInfo`` (spec 4.8); computed figures rounded to the currency.

        trade_expert follows trade_allowed ([?] spec 4.8: no known wire source); limit_orders,
        fifo_close and commission_blocked have no source and are 0/False.
        """
        head = self._header()
        money: Callable[[float], float] = lambda v: round_money(v, head.currency_digits)  # noqa: E731
        allowed = not (head.rights & 4) and not (head.rights & 8)
        return AccountInfo._from_sequence((
            self.login,
            ACCOUNT_TYPE_TO_TRADE_MODE.get(head.account_type, 2),
            head.leverage, 0, head.margin_so_mode, allowed, allowed, head.margin_mode,
            head.currency_digits, False,
            money(self.balance), money(self.credit), money(snap.profit), money(snap.equity),
            money(snap.margin), money(snap.margin_free), round(snap.margin_level, 2),
            head.margin_so_call, head.margin_so_so, money(snap.margin_initial),
            money(snap.margin_maintenance), money(snap.assets), money(snap.liabilities), 0.0,
            head.name, head.server_name, head.currency, head.company,
        ))  # fmt: skip


def _symbols(rows: bulk.Array) -> list[str]:
    return bulk.decode_utf16_column(rows["trade_symbol"]).tolist() if len(rows) else []
