"""The trading engine: applies trade requests to accounts at most once (spec 3.7, 4.5, 4.7).

``execute`` validates a request as MT5 does and applies it; what changed comes back as
``TradeEvent``s for push 10/14 and a ``TradeOutcome`` for push 19. Quote-driven triggers,
rollover and stop-out live in ``_triggers``; deal mechanics in ``_fills``.
"""

from __future__ import annotations

from MetaTrader5 import constants as c
from MetaTrader5.server.accounts import Account, AccountConfig
from MetaTrader5.server.engine import _checks as chk
from MetaTrader5.server.engine import _triggers
from MetaTrader5.server.engine._dedupe import DedupeWindow
from MetaTrader5.server.engine._fills import Desk
from MetaTrader5.server.engine._money import Pricing
from MetaTrader5.server.engine._risk import AccountState, account_state, free_margin_after
from MetaTrader5.server.engine.types import MarketView, TradeEvent, TradeOutcome, TradeRequest
from MetaTrader5.server.ledger import Ledger, Order, Position, TicketSequences, lots, units
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath import (
    ConversionError,
    MissingQuoteError,
    TradeMathError,
)
from MetaTrader5.trademath import Position as MathPosition

__all__ = ["EngineError", "TradingEngine", "UnknownAccountError"]

_MARKET_ACTIONS = frozenset({1, 2, 3, 4})
_COMMENTS = {c.TRADE_RETCODE_DONE: "Request executed", c.TRADE_RETCODE_PLACED: "Request placed"}


class EngineError(Exception):
    """Base of the engine's errors (misuse by the caller, never a trade rejection)."""


class UnknownAccountError(EngineError, KeyError):
    """No account with this login."""


class _Reject(Exception):  # noqa: N818 - internal control flow carrying a retcode
    def __init__(self, retcode: int) -> None:
        super().__init__(retcode)
        self.retcode = retcode


def _need(retcode: int) -> None:
    if retcode:
        raise _Reject(retcode)


class TradingEngine:
    """Accounts, ledgers and the order-matching rules of the simulated trade server.

    Money (margin, profit, equity, stop-out) is computed by ``MetaTrader5.trademath``, the
    same functions the client uses for account_info/order_calc_*/order_check (spec 4.9).

    Args:
        market: symbols, quotes, sessions and the server clock.
        request_reason: ORDER_REASON_* given to orders from client requests (Web Terminal: 2).
        dedupe_entries / dedupe_ms: bounds of the at-most-once window.
    """

    def __init__(
        self, market: MarketView, *, request_reason: int = c.ORDER_REASON_WEB,
        dedupe_entries: int = 4096, dedupe_ms: int = 600_000,
    ) -> None:
        self.market = market
        self.pricing = Pricing(market)
        self.request_reason = request_reason
        self.accounts: dict[int, Account] = {}
        self.ledgers: dict[int, Ledger] = {}
        self.tickets = TicketSequences()
        self.dedupe = DedupeWindow(dedupe_entries, dedupe_ms)

    # -- accounts -------------------------------------------------------------------------
    def add_account(self, config: AccountConfig) -> list[TradeEvent]:
        """Create an account; its configured balance arrives as a first BALANCE deal."""
        if config.login in self.accounts:
            raise EngineError(f"account {config.login} already exists")
        account = Account.from_config(config)
        self.accounts[account.login] = account
        self.ledgers[account.login] = Ledger()
        if config.balance:
            return self.balance_operation(account.login, config.balance, comment="Deposit")
        return []

    def account(self, login: int) -> Account:
        try:
            return self.accounts[login]
        except KeyError:
            raise UnknownAccountError(login) from None

    def ledger(self, login: int) -> Ledger:
        self.account(login)
        return self.ledgers[login]

    def desk(self, login: int, request_id: int = 0) -> Desk:
        return Desk(self.account(login), self.ledger(login), self.tickets, self.pricing,
                    request_id)

    def balance_operation(
        self, login: int, amount: float, *, comment: str = "", credit: bool = False
    ) -> list[TradeEvent]:
        """Deposit (amount > 0) or withdraw (< 0) as a BALANCE (or CREDIT) deal.

        Raises:
            EngineError: a zero amount, or a withdrawal larger than the free margin (or the
                account cannot be valued for lack of a conversion quote).
        """
        if amount == 0:
            raise EngineError("balance operation of 0")
        if amount < 0:
            try:
                free = self.state(login).margin_free
            except TradeMathError as exc:
                raise EngineError(f"cannot value account {login}: {exc}") from exc
            if -amount > free + 1e-9:
                raise EngineError("withdrawal exceeds free margin")
        desk = self.desk(login)
        desk.balance_deal(amount, self.market.now_ms(), comment, credit)
        return desk.events

    def state(self, login: int) -> AccountState:
        """Balance, equity, margin, free margin and margin level at the current quotes.

        The figures are trademath's ``account_snapshot`` rounded to the account's digits,
        i.e. what the client's ``account_info()`` shows.

        Raises:
            UnknownAccountError: no account ``login``.
            TradeMathError: a position cannot be valued (unknown symbol, no quote, no
                conversion into the account currency).
        """
        return account_state(
            self.pricing, self.account(login), self.ledger(login).positions.values()
        )

    # -- market ---------------------------------------------------------------------------
    def on_quote(self, symbol: str, bid: float, ask: float, time_msc: int) -> list[TradeEvent]:
        """Apply a quote: expirations, pending activations, SL/TP, then stop-out."""
        return _triggers.on_quote(self, symbol, bid, ask, time_msc)

    def rollover(self, server_ms: int) -> list[TradeEvent]:
        """Accrue one day of swap on every position (triple on the symbol's 3-day weekday)."""
        return _triggers.rollover(self, server_ms)

    # -- requests -------------------------------------------------------------------------
    def execute(
        self, login: int, request: TradeRequest, *, fingerprint: bytes,
    ) -> tuple[TradeOutcome, list[TradeEvent]]:
        """Apply ``request`` at most once; a retry returns the first outcome and no events.

        Raises:
            UnknownAccountError: no account ``login``.
        """
        account = self.account(login)
        now = self.market.now_ms()
        previous = self.dedupe.lookup(login, request.request_id, fingerprint, now)
        if previous is not None:
            return previous, []
        desk = self.desk(login, request.request_id)
        bid = ask = 0.0
        quote = self.market.quote(request.symbol) if request.symbol else None
        if quote is not None:
            bid, ask = quote[0], quote[1]
        try:
            if not account.trade_allowed:
                raise _Reject(c.TRADE_RETCODE_TRADE_DISABLED)
            outcome = self._dispatch(desk, request, now)
        except _Reject as reject:
            outcome = TradeOutcome(retcode=reject.retcode, request=request, time_msc=now)
        outcome = _completed(outcome, bid, ask)
        self.dedupe.remember(login, request.request_id, fingerprint, now, outcome)
        return outcome, desk.events

    def _dispatch(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        action = req.trade_action
        if action in _MARKET_ACTIONS:
            return self._market(desk, req, now)
        if action == c.TRADE_ACTION_PENDING:
            return self._pending(desk, req, now)
        if action == c.TRADE_ACTION_SLTP:
            return self._sltp(desk, req, now)
        if action == c.TRADE_ACTION_MODIFY:
            return self._modify(desk, req, now)
        if action == c.TRADE_ACTION_REMOVE:
            return self._remove(desk, req, now)
        if action == c.TRADE_ACTION_CLOSE_BY:
            return self._close_by(desk, req, now)
        raise _Reject(c.TRADE_RETCODE_INVALID)

    def _symbol(self, name: str, now: int) -> tuple[SymbolSpec, float, float]:
        spec = self.market.spec(name) if name else None
        if spec is None:
            raise _Reject(c.TRADE_RETCODE_INVALID)
        if spec.trade_mode == c.SYMBOL_TRADE_MODE_DISABLED:
            raise _Reject(c.TRADE_RETCODE_TRADE_DISABLED)
        if not self.market.is_trading(name, now):
            raise _Reject(c.TRADE_RETCODE_MARKET_CLOSED)
        quote = self.market.quote(name)
        if quote is None or quote[0] <= 0 or quote[1] <= 0:
            raise _Reject(c.TRADE_RETCODE_PRICE_OFF)
        return spec, quote[0], quote[1]

    def _new_order(self, req: TradeRequest, spec: SymbolSpec, volume: int, now: int) -> Order:
        return Order(
            ticket=self.tickets.order(), symbol=spec.name, type=req.type, volume_initial=volume,
            volume_current=volume, price_open=req.price, time_setup_msc=now,
            state=c.ORDER_STATE_STARTED, type_filling=req.type_filling, type_time=req.type_time,
            price_stoplimit=req.stoplimit, sl=req.sl, tp=req.tp, reason=self.request_reason,
            comment=req.comment[:32],
        )

    def _position(self, desk: Desk, ticket: int) -> Position:
        position = desk.ledger.positions.get(ticket)
        if position is None:
            raise _Reject(c.TRADE_RETCODE_POSITION_CLOSED)
        return position

    def _check_money(self, desk: Desk, spec: SymbolSpec, order_type: int, volume: int, *,
                     price: float, closing: Position | None) -> None:
        """10019 when the free margin after the deal, less commission, is negative (spec 4.9).

        The margin after the deal is trademath's ``account_margin`` of the positions plus the
        new exposure, so hedged and netted volume is charged as the client computes it. A
        deal whose money cannot be computed (no conversion quote) is refused with 10021.
        """
        account, ledger = desk.account, desk.ledger
        if not self.pricing.can_book(account, spec, price):
            raise _Reject(c.TRADE_RETCODE_PRICE_OFF)
        if closing is not None or not self._exposure(desk, spec.name, order_type, volume):
            return  # closing and reducing never need money
        extra = MathPosition(spec.name, order_type, lots(volume), price)
        try:
            free = free_margin_after(self.pricing, account, ledger.positions.values(), extra)
        except (ConversionError, MissingQuoteError):
            raise _Reject(c.TRADE_RETCODE_PRICE_OFF) from None
        except TradeMathError:
            raise _Reject(c.TRADE_RETCODE_INVALID) from None
        if free - spec.commission_per_lot * lots(volume) < 0:
            raise _Reject(c.TRADE_RETCODE_NO_MONEY)

    def _market(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        spec, bid, ask = self._symbol(req.symbol, now)
        if req.type not in (c.ORDER_TYPE_BUY, c.ORDER_TYPE_SELL):
            raise _Reject(c.TRADE_RETCODE_INVALID_ORDER)
        _need(chk.check_order_type(spec, req.type))
        volume = units(req.volume)
        _need(chk.check_volume(spec, volume))
        closing: Position | None = None
        if req.position:
            closing = self._position(desk, req.position)
            if closing.symbol != spec.name or closing.type == req.type:
                raise _Reject(c.TRADE_RETCODE_INVALID)
            if volume > closing.volume:
                raise _Reject(c.TRADE_RETCODE_INVALID_CLOSE_VOLUME)
        added = 0 if closing is not None else self._exposure(desk, spec.name, req.type, volume)
        _need(chk.check_trade_mode(spec, req.type, added > 0))
        _need(chk.check_filling(spec, req.type, req.type_filling))
        _need(chk.check_volume_limit(spec, desk.ledger, req.type, added))
        price = ask if req.type == c.ORDER_TYPE_BUY else bid
        if spec.exemode in (c.SYMBOL_TRADE_EXECUTION_INSTANT, c.SYMBOL_TRADE_EXECUTION_REQUEST):
            # Instant/request execution fills only at the client's price, within deviation.
            if req.price <= 0:
                raise _Reject(c.TRADE_RETCODE_INVALID_PRICE)
            if abs(round((req.price - price) / spec.point)) > req.deviation:
                return TradeOutcome(retcode=c.TRADE_RETCODE_REQUOTE, request=req, bid=bid,
                                    ask=ask, comment="Requote", time_msc=now)
        if closing is None:
            _need(chk.check_stops(spec, req.type == 0, bid if req.type == 0 else ask,
                                  req.sl, req.tp))
        self._check_money(desk, spec, req.type, volume, price=price, closing=closing)
        order = self._new_order(req, spec, volume, now)
        order.price_open = price
        if closing is not None:
            order.sl = order.tp = 0.0
        deals = desk.fill(order, spec, price, now, closing)
        return TradeOutcome(retcode=c.TRADE_RETCODE_DONE, request=req, deal=deals[0].ticket,
                            order=order.ticket, volume=lots(volume), price=price, bid=bid,
                            ask=ask, comment=_COMMENTS[c.TRADE_RETCODE_DONE], time_msc=now)

    def _exposure(self, desk: Desk, symbol: str, order_type: int, volume: int) -> int:
        """Volume a new deal adds in its own direction: 0 when it only reduces a netting
        position, the excess for a netting reversal (a hedging close is not asked here)."""
        if desk.account.hedging:
            return volume
        current = desk.ledger.position_for_symbol(symbol)
        if current is None or current.type == order_type:
            return volume
        return max(0, volume - current.volume)

    def _pending(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        spec, bid, ask = self._symbol(req.symbol, now)
        if not 2 <= req.type <= 7:
            raise _Reject(c.TRADE_RETCODE_INVALID_ORDER)
        _need(chk.check_order_type(spec, req.type))
        volume = units(req.volume)
        _need(chk.check_volume(spec, volume))
        _need(chk.check_trade_mode(spec, req.type, True))
        _need(chk.check_filling(spec, req.type, req.type_filling))
        _need(chk.check_volume_limit(spec, desk.ledger, req.type, volume))
        _need(chk.check_pending_price(spec, req.type, req.price, req.stoplimit, bid=bid,
                                          ask=ask))
        stop_ref = req.stoplimit if req.type >= c.ORDER_TYPE_BUY_STOP_LIMIT else req.price
        _need(chk.check_stops(spec, chk.is_buy_type(req.type), stop_ref, req.sl, req.tp))
        retcode, expiration = chk.check_expiration(spec, req.type_time, req.expiration, now)
        _need(retcode)
        order = self._new_order(req, spec, volume, now)
        order.state = c.ORDER_STATE_PLACED
        order.time_expiration = expiration
        order.price_current = ask if chk.is_buy_type(req.type) else bid
        if req.type < c.ORDER_TYPE_BUY_STOP_LIMIT:
            order.price_stoplimit = 0.0
        desk.ledger.add_order(order)
        desk.order_event(order, now)
        return TradeOutcome(retcode=c.TRADE_RETCODE_PLACED, request=req, order=order.ticket,
                            volume=lots(volume), price=req.price, bid=bid, ask=ask,
                            time_msc=now)

    def _sltp(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        position = self._position(desk, req.position)
        if req.symbol and req.symbol != position.symbol:
            raise _Reject(c.TRADE_RETCODE_INVALID)
        spec, bid, ask = self._symbol(position.symbol, now)
        if (req.sl, req.tp) == (position.sl, position.tp):
            raise _Reject(c.TRADE_RETCODE_NO_CHANGES)
        if chk.position_frozen(spec, position, bid, ask):
            raise _Reject(c.TRADE_RETCODE_FROZEN)
        buy = position.type == 0
        _need(chk.check_stops(spec, buy, bid if buy else ask, req.sl, req.tp))
        position.sl, position.tp, position.time_update_msc = req.sl, req.tp, now
        desk.position_event(position, now)
        return TradeOutcome(retcode=c.TRADE_RETCODE_DONE, request=req, bid=bid, ask=ask,
                            time_msc=now)

    def _open_order(self, desk: Desk, ticket: int) -> Order:
        order = desk.ledger.orders.get(ticket)
        if order is None:
            raise _Reject(c.TRADE_RETCODE_INVALID)
        return order

    def _modify(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        order = self._open_order(desk, req.order)
        spec, bid, ask = self._symbol(order.symbol, now)
        if chk.order_frozen(spec, order, bid, ask):
            raise _Reject(c.TRADE_RETCODE_FROZEN)
        stoplimit = req.stoplimit if order.type >= c.ORDER_TYPE_BUY_STOP_LIMIT else 0.0
        retcode, expiration = chk.check_expiration(spec, req.type_time, req.expiration, now)
        new = (req.price, stoplimit, req.sl, req.tp, req.type_time, expiration)
        old = (order.price_open, order.price_stoplimit, order.sl, order.tp, order.type_time,
               order.time_expiration)
        if new == old:
            raise _Reject(c.TRADE_RETCODE_NO_CHANGES)
        _need(chk.check_pending_price(spec, order.type, req.price, stoplimit, bid=bid,
                                          ask=ask))
        stop_ref = stoplimit if stoplimit else req.price
        _need(chk.check_stops(spec, chk.is_buy_type(order.type), stop_ref, req.sl, req.tp))
        _need(retcode)
        order.price_open, order.price_stoplimit, order.sl, order.tp = new[:4]
        order.type_time, order.time_expiration = req.type_time, expiration
        desk.order_event(order, now)
        return TradeOutcome(retcode=c.TRADE_RETCODE_DONE, request=req, order=order.ticket,
                            volume=lots(order.volume_current), price=order.price_open, bid=bid,
                            ask=ask, time_msc=now)

    def _remove(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        order = self._open_order(desk, req.order)
        spec = self.market.spec(order.symbol)
        quote = self.market.quote(order.symbol)
        if spec is not None and quote is not None and chk.order_frozen(spec, order, *quote[:2]):
            raise _Reject(c.TRADE_RETCODE_FROZEN)
        order.state, order.time_done_msc = c.ORDER_STATE_CANCELED, now
        desk.ledger.archive_order(order)
        desk.order_delete_event(order, now)
        desk.history_event(order, now)
        return TradeOutcome(retcode=c.TRADE_RETCODE_DONE, request=req, order=order.ticket,
                            volume=lots(order.volume_current), time_msc=now)

    def _close_by(self, desk: Desk, req: TradeRequest, now: int) -> TradeOutcome:
        if not desk.account.hedging:
            raise _Reject(c.TRADE_RETCODE_INVALID)
        position = self._position(desk, req.position)
        opposite = self._position(desk, req.position_by)
        if position.symbol != opposite.symbol or position.type == opposite.type:
            raise _Reject(c.TRADE_RETCODE_INVALID)
        spec, bid, ask = self._symbol(position.symbol, now)
        _need(chk.check_order_type(spec, c.ORDER_TYPE_CLOSE_BY))
        volume = min(position.volume, opposite.volume)
        if not self.pricing.can_book(desk.account, spec, opposite.price_open):
            raise _Reject(c.TRADE_RETCODE_PRICE_OFF)
        order = Order(
            ticket=self.tickets.order(), symbol=spec.name, type=c.ORDER_TYPE_CLOSE_BY,
            volume_initial=volume, volume_current=volume, price_open=0.0, time_setup_msc=now,
            state=c.ORDER_STATE_STARTED, reason=self.request_reason, comment=req.comment[:32],
        )
        deals = desk.close_by(order, spec, position, opposite, now)
        return TradeOutcome(retcode=c.TRADE_RETCODE_DONE, request=req, deal=deals[0].ticket,
                            order=order.ticket, volume=lots(volume), price=deals[0].price,
                            bid=bid, ask=ask, time_msc=now)


def _completed(outcome: TradeOutcome, bid: float, ask: float) -> TradeOutcome:
    """``outcome`` with the request-time quote when it has none, and the retcode's comment
    when it has none (one new value at most: this runs on every request)."""
    quoted = bool(outcome.bid or outcome.ask)
    if quoted and outcome.comment:
        return outcome
    o = outcome
    return TradeOutcome(
        o.retcode, o.request, o.deal, o.order, o.volume, o.price,
        o.bid if quoted else bid, o.ask if quoted else ask,
        o.comment or _COMMENTS.get(o.retcode, "Request rejected"), o.time_msc,
    )  # fmt: skip
