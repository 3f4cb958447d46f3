"""Facade methods that need live quotes: account figures, positions, calculations, trading.

The server sends no equity, margin, profit or order check (spec 4.9, 6.2): they are computed
with the shared trade math from the full symbols (cmd 18, with overrides), the account terms
and the tick stream. Before computing, the client subscribes the symbols involved and the
symbols converting their currencies, and waits briefly for their first ticks; a position
whose symbol still has no tick keeps the server's last price and profit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from MetaTrader5.records import (
    AccountInfo,
    OrderCheckResult,
    OrderSendResult,
    TradeOrder,
    TradePosition,
    TradeRequest,
)
from MetaTrader5.trademath import ContractSpec, SymbolIndex, TradeMathError, margin, profit
from MetaTrader5.trademath import Position as MathPosition

from ._checks import DEAL, PENDING, SymbolTradeTerms, validate_request
from ._core import ClientCore
from .errors import CalculationError, NoQuoteError, NotFoundError, ValidationError

__all__ = ["LiveApi"]

_NO_MONEY = 10019


class LiveApi(ClientCore):
    """Account, positions, orders, calculations and trading of :class:`WebTerminalClient`."""

    async def _live(self, symbols: Iterable[str]) -> tuple[dict[str, ContractSpec], SymbolIndex]:
        """Specs of ``symbols`` and the conversion index, with their quotes flowing."""
        wanted = set(symbols)
        specs = await self.catalog.contracts(wanted)
        index = await self.catalog.index()
        currencies = {c for s in specs.values() for c in (s.currency_profit, s.currency_margin)}
        account_ccy = self.account.terms().currency
        need = wanted | self.catalog.conversion_symbols(currencies, account_ccy)
        missing = sorted(s for s in need if self.market.quote(s) is None)
        if missing:
            await self.market.subscribe_ticks(*missing)
            await asyncio.gather(*(self.market.wait_quote(s) for s in missing),
                                 return_exceptions=True)  # fmt: skip
        return specs, index

    # --- account, positions, orders ----------------------------------------------------------

    async def account_info(self) -> AccountInfo:
        """The account with profit, equity, margin, free margin and margin level computed
        live from positions and ticks (spec 4.8, 4.9).

        Raises:
            CalculationError: a position's figures cannot be computed (no conversion path).
        """
        specs, index = await self._live(self.account.symbols_in_use())
        try:
            snap = self.account.snapshot(specs, index, self._quote_or_last)
        except (TradeMathError, ValueError) as exc:
            raise CalculationError(f"account figures: {exc}") from exc
        return self.account.account_info(snap)

    def _quote_or_last(self, symbol: str) -> tuple[float, float] | None:
        quote = self.market.quote(symbol)
        if quote is not None:
            return quote
        for pos in self.account.position_records({}, None, lambda _s: None):
            if pos.symbol == symbol and pos.price_current > 0:
                return pos.price_current, pos.price_current  # server's last price
        return None

    async def _publish_account(self) -> None:
        self.hub.publish("account", await self.account_info())

    def positions_total(self) -> int:
        """Number of open positions (live state, spec 3.6.3)."""
        return len(self.account.positions)

    def orders_total(self) -> int:
        """Number of active (pending) orders."""
        return len(self.account.orders)

    async def positions_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradePosition, ...]:
        """Open positions: all, those of ``symbol``, or the one ``ticket`` (checked first).

        Raises:
            NotFoundError: ``ticket`` is not an open position.
        """
        specs, index = await self._live(self.account.symbols_in_use())
        records = self.account.position_records(specs, index, self.market.quote)
        if ticket is not None:
            found = tuple(p for p in records if p.ticket == ticket)
            if not found:
                raise NotFoundError(f"no open position with ticket {ticket}")
            return found
        if symbol is not None:
            return tuple(p for p in records if p.symbol == symbol)
        return records

    async def orders_get(
        self, symbol: str | None = None, ticket: int | None = None
    ) -> tuple[TradeOrder, ...]:
        """Active orders: all, those of ``symbol``, or the one ``ticket`` (checked first).

        Raises:
            NotFoundError: ``ticket`` is not an active order.
        """
        records = self.account.order_records()
        if ticket is not None:
            found = tuple(o for o in records if o.ticket == ticket)
            if not found:
                raise NotFoundError(f"no active order with ticket {ticket}")
            return found
        if symbol is not None:
            return tuple(o for o in records if o.symbol == symbol)
        return records

    # --- calculations ------------------------------------------------------------------------

    async def order_calc_margin(self, action: int, symbol: str, volume: float,
                                price: float) -> float:  # fmt: skip
        """Margin in the deposit currency of ``volume`` lots at ``price`` (ORDER_TYPE_*).

        Raises:
            SymbolNotFoundError, ValidationError (bad volume/price/type), CalculationError.
        """
        specs, index = await self._live([symbol])
        try:
            return margin(specs[symbol], self.account.terms(), action, volume, price, index,
                          self.market.quote)  # fmt: skip
        except TradeMathError as exc:
            raise CalculationError(f"order_calc_margin: {exc}") from exc
        except ValueError as exc:
            raise ValidationError("arguments", str(exc), 10013) from exc

    async def order_calc_profit(self, action: int, symbol: str, volume: float,
                                price_open: float, price_close: float) -> float:  # fmt: skip
        """Profit in the deposit currency of a trade from ``price_open`` to ``price_close``.

        Raises:
            SymbolNotFoundError, ValidationError, CalculationError.
        """
        specs, index = await self._live([symbol])
        try:
            return profit(specs[symbol], action, volume, price_open, price_close,
                          self.account.terms().currency, index, self.market.quote)  # fmt: skip
        except TradeMathError as exc:
            raise CalculationError(f"order_calc_profit: {exc}") from exc
        except ValueError as exc:
            raise ValidationError("arguments", str(exc), 10013) from exc

    # --- trading -----------------------------------------------------------------------------

    def _request_symbol(self, req: TradeRequest) -> TradeRequest:
        """Fill an empty symbol from the position or order the request names."""
        if req.symbol:
            return req
        rows = [p for p in self.account.position_records({}, None, lambda _s: None)
                if p.ticket in (req.position, req.position_by) and req.position]
        rows_o = [o for o in self.account.order_records() if o.ticket == req.order and req.order]
        name = rows[0].symbol if rows else rows_o[0].symbol if rows_o else ""
        if not name:
            raise ValidationError("symbol", "a symbol is required", 10013)
        return TradeRequest._from_sequence((*req[:3], name, *req[4:]))

    async def _terms_and_quote(self, req: TradeRequest) -> tuple[SymbolTradeTerms, float, float]:
        terms = SymbolTradeTerms.of(await self.catalog.get(req.symbol))
        bid = ask = 0.0
        with contextlib.suppress(NoQuoteError):
            entry = await self.market.wait_quote(req.symbol)
            bid, ask = entry.bid, entry.ask
        return terms, bid, ask

    async def order_check(self, request: TradeRequest) -> OrderCheckResult:
        """Local pre-flight of ``request`` (the Web Terminal has no server check, spec 6.2).

        Returns retcode 0 and comment 'Done' when it passes, else the terminal's retcode
        (10014 volume, 10016 stops, 10019 no money, 10030 filling, ...); balance, equity,
        profit, margin, free margin and margin level are the account's after the trade.
        """
        try:
            req = self._request_symbol(request)
            terms, bid, ask = await self._terms_and_quote(req)
        except ValidationError as exc:
            return OrderCheckResult._from_sequence(
                (exc.retcode, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, str(exc), request)
            )
        specs, index = await self._live(self.account.symbols_in_use() | {req.symbol})
        extra: list[MathPosition] = []
        opening = req.action == PENDING or (req.action == DEAL and not req.position)
        if opening and req.volume > 0:
            price = req.price if req.action == PENDING else (ask if req.type % 2 == 0 else bid)
            extra.append(MathPosition(req.symbol, req.type % 2, req.volume, price))
        retcode, comment = 0, "Done"
        try:
            validate_request(req, terms, bid, ask, self.rates.server_now())
        except ValidationError as exc:
            retcode, comment = exc.retcode, str(exc)
        try:
            now = self.account.snapshot(specs, index, self._quote_or_last)
            after = self.account.snapshot(specs, index, self._quote_or_last, extra)
        except (TradeMathError, ValueError) as exc:
            raise CalculationError(f"order_check: {exc}") from exc
        added = after.margin - now.margin
        free = now.margin_free - added
        maintenance = after.margin_maintenance
        level = now.equity / maintenance * 100.0 if maintenance > 0 else 0.0
        if retcode == 0 and free < 0:
            retcode, comment = _NO_MONEY, "No money"
        digits = self.account.terms().currency_digits
        return OrderCheckResult._from_sequence((
            retcode, round(now.balance, digits), round(now.equity, digits),
            round(now.profit, digits), round(after.margin, digits), round(free, digits),
            round(level, 2), comment, request,
        ))  # fmt: skip

    async def order_send(self, request: TradeRequest) -> OrderSendResult:
        """Send ``request`` (cmd 12) and return the official result (spec 4.5).

        The symbol's trade terms come from cmd 18 and its quote from the stream; a local
        check failure or a server rejection is a result with its retcode, never an
        exception; ``request_id`` is the wire action id and ``request`` echoes the caller's.

        Raises:
            TradeOutcomeUnknownError: sent, but its result was lost (never re-sent; its fate
                is reported as a "trade_fate" event after reconnecting).
            ClientConnectionError: not connected (nothing was sent).
        """
        try:
            req = self._request_symbol(request)
            terms, bid, ask = await self._terms_and_quote(req)
        except ValidationError as exc:
            return OrderSendResult._from_sequence(
                (exc.retcode, 0, 0, 0.0, 0.0, 0.0, 0.0, str(exc), 0, 0, request)
            )
        result = await self.trading.order_send(req, terms, bid, ask, self.rates.server_now())
        if result.request is not request:
            result = OrderSendResult._from_sequence((*result[:10], request))
        return result
