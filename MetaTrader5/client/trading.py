"""Trade requests: local validation, cmd 12, push 19 matching, and fate resolution.

Flow (spec 3.7.1 / 3.7.2): each request gets a fresh ``action_id`` (from 1000, like the JS).
Its future is registered in ``self._waiting`` (one dict, keyed by action_id) *before* cmd 12
is sent, because push 19 may arrive right behind the u32 answer. A non-zero u32 is a final
retcode (rejected before execution); 0 means accepted, and push 19 with the same action_id
carries the result. Entries leave the dict on result, rejection, timeout, cancellation and
connection loss alike.

A request whose result never arrives (timeout, or the connection dropped after it was sent)
raises :class:`TradeOutcomeUnknownError` and is remembered in ``unresolved``. It is NEVER
re-sent. After a reconnect, :meth:`TradingService.resolve_pending` looks for it among open
and history orders and reports each one's fate, so nothing is duplicated and nothing lost.

DEAL requests use the wire action of the symbol's execution mode (spec 4.5): exemode 0 -> 1
(request), 1 -> 2 (instant; 1 if volume > instant_volume), 2 -> 3 (market), 3 -> 4 (exchange).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from MetaTrader5.protocol.commands import Command
from MetaTrader5.records import OrderSendResult, TradeRequest

from ._trade_wire import (
    decode_order_records,
    decode_trade_result,
    encode_trade_request,
)
from .errors import ClientConnectionError, TradeOutcomeUnknownError, ValidationError

__all__ = ["SymbolTradeTerms", "TradeFate", "TradingService", "validate_request", "wire_action"]

_log = logging.getLogger("MetaTrader5.client")

Requester = Callable[[int, bytes], Awaitable[memoryview]]

# Official TRADE_ACTION_* values (API.md) and ORDER_TYPE_* groups.
DEAL, PENDING, SLTP, MODIFY, REMOVE, CLOSE_BY = 1, 5, 6, 7, 8, 10
_PENDING_TYPES = frozenset(range(2, 8))
_NEEDS_PRICE = {PENDING, MODIFY}


@dataclass(frozen=True, slots=True)
class SymbolTradeTerms:
    """The symbol facts validation and the wire mapping need (full symbol, spec 3.4.3)."""

    name: str
    digits: int
    volume_min: float
    volume_max: float
    volume_step: float
    stops_level: int = 0
    exemode: int = 2
    instant_volume: float = 0.0

    @property
    def point(self) -> float:
        return float(10.0**-self.digits)


@dataclass(frozen=True, slots=True)
class TradeFate:
    """What became of a request whose result was lost."""

    action_id: int
    request: TradeRequest
    found: bool
    order: int = 0
    state: str = "not found"


def _steps(value: float, step: float) -> bool:
    """True if ``value`` is a whole number of ``step`` (decimal arithmetic, spec 4.1)."""
    if step <= 0:
        return True
    ratio = Decimal(repr(value)) / Decimal(repr(step))
    return ratio == ratio.to_integral_value()


def validate_request(req: TradeRequest, terms: SymbolTradeTerms, bid: float, ask: float) -> None:
    """Check a request locally; raises :class:`ValidationError` naming the field."""
    if req.action not in (DEAL, PENDING, SLTP, MODIFY, REMOVE, CLOSE_BY):
        raise ValidationError("action", f"unknown trade action {req.action}")
    if req.action in (DEAL, PENDING):
        vol = req.volume
        if not vol > 0:
            raise ValidationError("volume", "must be > 0")
        if vol < terms.volume_min - 1e-12:
            raise ValidationError("volume", f"{vol:g} is below the minimum {terms.volume_min:g}")
        if terms.volume_max and vol > terms.volume_max + 1e-12:
            raise ValidationError("volume", f"{vol:g} is above the maximum {terms.volume_max:g}")
        if not _steps(vol, terms.volume_step):
            raise ValidationError("volume", f"{vol:g} is not a multiple of {terms.volume_step:g}")
    if req.action == PENDING and req.type not in _PENDING_TYPES:
        raise ValidationError("type", f"order type {req.type} is not a pending type")
    if req.action == DEAL and req.type not in (0, 1):
        raise ValidationError("type", f"order type {req.type} is not a market type")
    if req.action in _NEEDS_PRICE and not req.price > 0:
        raise ValidationError("price", "must be > 0 for pending orders")
    if req.type in (6, 7) and req.action in _NEEDS_PRICE and not req.stoplimit > 0:
        raise ValidationError("stoplimit", "must be > 0 for stop-limit orders")
    for name in ("sl", "tp"):
        value = getattr(req, name)
        if value < 0:
            raise ValidationError(name, "must be >= 0")
    if req.action in (SLTP, MODIFY, REMOVE) and req.action != SLTP and not req.order:
        raise ValidationError("order", "an order ticket is required")
    if req.action in (SLTP, CLOSE_BY) and not req.position:
        raise ValidationError("position", "a position ticket is required")
    if req.action == CLOSE_BY and not req.position_by:
        raise ValidationError("position_by", "the opposite position ticket is required")
    _check_stops(req, terms, bid, ask)


def _check_stops(req: TradeRequest, terms: SymbolTradeTerms, bid: float, ask: float) -> None:
    """SL/TP at least ``stops_level`` points away from the reference price (spec 3.7.1)."""
    if terms.stops_level <= 0 or req.action not in (DEAL, PENDING, SLTP, MODIFY):
        return
    buy = req.type in (0, 2, 4, 6)
    if req.action in (PENDING, MODIFY):
        ref = req.stoplimit if req.type in (6, 7) else req.price
    else:
        ref = bid if buy else ask  # a position closes at the opposite price
    if ref <= 0:
        return
    gap = terms.stops_level * terms.point - 1e-12
    for name, value, below in (("sl", req.sl, buy), ("tp", req.tp, not buy)):
        if value and ((ref - value) if below else (value - ref)) < gap:
            raise ValidationError(name, f"closer than {terms.stops_level} points to {ref:g}")


def wire_action(req: TradeRequest, terms: SymbolTradeTerms) -> int:
    """spec 4.5: the wire trade_action of an official request."""
    if req.action != DEAL:
        return req.action
    if terms.exemode == 1:
        limit = terms.instant_volume
        return 1 if limit and req.volume > limit else 2
    return {0: 1, 2: 3, 3: 4}.get(terms.exemode, 3)


@dataclass(slots=True)
class _Sent:
    request: TradeRequest
    sent_at: float


class TradingService:
    """Sends trade requests of one client and matches their results."""

    def __init__(self, request: Requester, result_timeout: float = 30.0) -> None:
        self._request = request
        self.result_timeout = result_timeout
        self._ids = itertools.count(1000)
        self._waiting: dict[int, tuple[asyncio.Future[OrderSendResult], TradeRequest]] = {}
        self.unresolved: dict[int, _Sent] = {}

    @property
    def pending_count(self) -> int:
        return len(self._waiting)

    async def order_send(
        self, req: TradeRequest, terms: SymbolTradeTerms, bid: float = 0.0, ask: float = 0.0
    ) -> OrderSendResult:
        """Validate, send cmd 12, wait for push 19; server retcodes come back as results.

        Raises:
            ValidationError: a local check failed (nothing was sent).
            TradeOutcomeUnknownError: sent, but no result arrived (never re-sent).
            ClientConnectionError: not connected (nothing was sent).
        """
        validate_request(req, terms, bid, ask)
        action_id = next(self._ids)
        payload = encode_trade_request(action_id, wire_action(req, terms), req, terms.digits)
        future: asyncio.Future[OrderSendResult] = asyncio.get_running_loop().create_future()
        self._waiting[action_id] = (future, req)
        sent = _Sent(req, time.time())
        stage = "before sending"
        try:
            try:
                stage = "waiting for the cmd 12 answer"
                answer = await self._request(Command.TRADE_REQUEST, payload)
            except ClientConnectionError:
                # The request may or may not have left: its fate must be looked up.
                self.unresolved[action_id] = sent
                raise TradeOutcomeUnknownError(action_id, 0.0, "connection lost") from None
            word = int.from_bytes(bytes(answer)[:4], "little") if len(answer) >= 4 else 0
            if word:
                return OrderSendResult._from_sequence(
                    (word, 0, 0, 0.0, 0.0, 0.0, 0.0, "", action_id, 0, req)
                )
            stage = "accepted, waiting for push 19"
            return await asyncio.wait_for(asyncio.shield(future), self.result_timeout)
        except TimeoutError:
            self.unresolved[action_id] = sent
            raise TradeOutcomeUnknownError(action_id, self.result_timeout, stage) from None
        finally:
            del self._waiting[action_id]
            if not future.done():
                future.cancel()

    def on_trade_result(self, body: memoryview) -> OrderSendResult | None:
        """Push 19: resolve the matching request (unknown action ids are ignored)."""
        action_id, fields = decode_trade_result(body)
        entry = self._waiting.get(action_id)
        sent = self.unresolved.pop(action_id, None)
        if entry is None or entry[0].done():
            if sent is not None:
                _log.info("late trade result for request %d: retcode %d", action_id, fields[0])
            return None
        future, req = entry
        result = OrderSendResult._from_sequence((*fields, action_id, 0, req))
        future.set_result(result)
        return result

    def connection_lost(self) -> None:
        """Fail every waiting request as 'outcome unknown' (the socket is gone)."""
        for future, _req in self._waiting.values():
            if not future.done():
                future.set_exception(TimeoutError())

    async def resolve_pending(self) -> list[TradeFate]:
        """After a reconnect: find each unresolved request among open and history orders."""
        if not self.unresolved:
            return []
        open_body = await self._request(Command.POSITIONS_ORDERS, b"")
        since = int(min(s.sent_at for s in self.unresolved.values())) - 86400
        hist_body = await self._request(
            Command.TRADE_HISTORY, since.to_bytes(4, "little", signed=True) + bytes(4)
        )
        orders = decode_order_records(open_body, positions_first=True)
        orders += decode_order_records(hist_body, positions_first=False)
        fates, taken = [], set()
        for action_id, sent in sorted(self.unresolved.items()):
            req = sent.request
            match = next(
                (o for o in orders
                 if o.ticket not in taken and o.symbol == req.symbol and o.type == req.type
                 and abs(o.volume_initial - req.volume) < 1e-9),
                None,
            )  # fmt: skip
            if match is not None:
                taken.add(match.ticket)
                fates.append(TradeFate(action_id, req, True, match.ticket, "found"))
            else:
                fates.append(TradeFate(action_id, req, False))
        self.unresolved.clear()
        return fates

