"""Trade requests: local checks, cmd 12, push 19 matching, and fate resolution.

Flow (spec 3.7.1 / 3.7.2): each request gets a fresh ``action_id``. Its future is registered
in ``self._waiting`` (one dict, keyed by action_id) *before* cmd 12 is sent, because push 19
may arrive right behind the u32 answer. A non-zero u32 is a final retcode (rejected before
execution); 0 means accepted, and push 19 with the same action_id carries the result. Entries
leave the dict on result, rejection, timeout, cancellation and connection loss alike.

Action ids start at a random value rather than the JS's 1000: servers remember recent
(login, action_id, request bytes) to answer retries at most once, so two client processes of
one account that both started at 1000 could see an identical new request taken for a retry.

A request whose result never arrives (timeout, or the connection dropped after it was sent)
raises :class:`TradeOutcomeUnknownError` and is remembered in ``unresolved``. It is NEVER
re-sent. After a reconnect, :meth:`TradingService.resolve_pending` looks for it among open
and history orders and reports each one's fate, so nothing is duplicated and nothing lost.

DEAL requests use the wire action of the symbol's execution mode (spec 4.5): exemode 0 -> 1
(request), 1 -> 2 (instant; 1 if volume > instant_volume), 2 -> 3 (market), 3 -> 4 (exchange).
The local checks (``_checks``) reject with the terminal's retcode without contacting the
server, as the Web Terminal does (spec 3.7.1).

The request has no magic field (spec 4.5): the order ticket of each result (and of each
resolved fate) is remembered with the request's magic in the client's
:class:`~._magic.MagicBook`, which fills the records built later.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from MetaTrader5.protocol import Command, bulk, lots_to_wire, wire_to_lots
from MetaTrader5.protocol.messages import (
    decode_trade_response,
    decode_trade_result,
    encode_history_request,
    encode_trade_request,
)
from MetaTrader5.protocol.schemas.trading import HistoryRequest
from MetaTrader5.protocol.schemas.trading import TradeRequest as WireTradeRequest
from MetaTrader5.records import OrderSendResult, TradeRequest

from ._checks import (
    CLOSE_BY,
    DEAL,
    PENDING,
    SymbolTradeTerms,
    validate_request,
    wire_action,
    wire_volume,
)
from ._magic import MagicBook
from .errors import ClientConnectionError, TradeOutcomeUnknownError, ValidationError

__all__ = [
    "SymbolTradeTerms",
    "TradeFate",
    "TradingService",
    "encode_request",
    "validate_request",
    "wire_action",
]

_log = logging.getLogger("MetaTrader5.client")

Requester = Callable[[int, bytes], Awaitable[memoryview]]

#: spec 3.7.1 [JS]: type_flags bit 2 on client requests, bit 1 on closing ones.
_FLAG_CLIENT, _FLAG_CLOSE = 2, 1
#: How far before the send time a matching order may have been set up (clock skew).
_FATE_SKEW_S = 120


@dataclass(frozen=True, slots=True)
class TradeFate:
    """What became of a request whose result was lost."""

    action_id: int
    request: TradeRequest
    found: bool
    order: int = 0
    state: str = "not found"


def _type_flags(req: TradeRequest) -> int:
    if req.action == CLOSE_BY or (req.action == DEAL and req.position):
        return _FLAG_CLIENT | _FLAG_CLOSE
    if req.action in (DEAL, PENDING):
        return _FLAG_CLIENT
    return 0


def encode_request(action_id: int, req: TradeRequest, terms: SymbolTradeTerms) -> bytes:
    """The 248-byte cmd 12 payload of an official request (spec 3.7.1, 4.5)."""
    digits = terms.digits
    return encode_trade_request(WireTradeRequest(
        action_id=action_id, trade_action=wire_action(req, terms), trade_symbol=req.symbol,
        volume=wire_volume(req.volume), digits=digits, order=req.order, type=req.type,
        type_filling=req.type_filling, type_time=req.type_time, type_flags=_type_flags(req),
        price_order=round(req.price, digits), price_trigger=round(req.stoplimit, digits),
        sl=round(req.sl, digits), tp=round(req.tp, digits), deviation=req.deviation,
        comment=req.comment, position=req.position, position_by=req.position_by,
        expiration=req.expiration,
    ))  # fmt: skip


@dataclass(slots=True)
class _Sent:
    request: TradeRequest
    sent_at: float


class TradingService:
    """Sends trade requests of one client and matches their results."""

    def __init__(
        self, request: Requester, result_timeout: float = 30.0, magic: MagicBook | None = None
    ) -> None:
        self._request = request
        self.magic = magic if magic is not None else MagicBook()
        self.result_timeout = result_timeout
        self._ids = itertools.count(1000 + secrets.randbelow(1 << 30))
        self._waiting: dict[int, tuple[asyncio.Future[OrderSendResult], TradeRequest]] = {}
        self.unresolved: dict[int, _Sent] = {}
        self.server_offset = 0

    @property
    def pending_count(self) -> int:
        return len(self._waiting)

    async def order_send(
        self, req: TradeRequest, terms: SymbolTradeTerms, bid: float = 0.0, ask: float = 0.0,
        now: int = 0,
    ) -> OrderSendResult:
        """Check locally, send cmd 12, wait for push 19; every retcode comes back as a result.

        A local check failure is a result with the terminal's retcode and a comment naming
        the field (nothing is sent).

        Raises:
            TradeOutcomeUnknownError: sent, but no result arrived (never re-sent).
            ClientConnectionError: not connected (nothing was sent).
        """
        try:
            validate_request(req, terms, bid, ask, now)
        except ValidationError as exc:
            return OrderSendResult._from_sequence(
                (exc.retcode, 0, 0, 0.0, 0.0, bid, ask, str(exc), 0, 0, req)
            )
        action_id = next(self._ids)
        payload = encode_request(action_id, req, terms)
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
            word = decode_trade_response(answer)
            if word:
                return OrderSendResult._from_sequence(
                    (word, 0, 0, 0.0, 0.0, bid, ask, "", action_id, 0, req)
                )
            stage = "accepted, waiting for push 19"
            if future.done():
                return future.result()  # push 19 came in the same read as the answer
            # A timeout cancels ``future`` itself (the finally below would anyway); no
            # wait_for/shield pair, which costs a task and two extra loop turns per trade.
            async with asyncio.timeout(self.result_timeout):
                return await future
        except TimeoutError:
            self.unresolved[action_id] = sent
            raise TradeOutcomeUnknownError(action_id, self.result_timeout, stage) from None
        finally:
            del self._waiting[action_id]
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                # connection_lost() may have failed it while cmd 12 was still unanswered; the
                # outcome is reported by the raise above, so mark the exception as seen.
                future.exception()

    def on_trade_result(self, body: memoryview) -> OrderSendResult | None:
        """Push 19: resolve the matching request (unknown action ids are ignored)."""
        push = decode_trade_result(body)
        action_id, res = push.request.action_id, push.result
        entry = self._waiting.get(action_id)
        sent = self.unresolved.pop(action_id, None)
        ours = entry[1] if entry is not None else sent.request if sent is not None else None
        if ours is not None:
            # Even a late result names our order: its records must carry our magic.
            self.magic.remember(ours.action, res.order, ours.magic)
        if entry is None or entry[0].done():
            if sent is not None:
                _log.info("late trade result for request %d: retcode %d", action_id, res.retcode)
            return None
        future, req = entry
        result = OrderSendResult._from_sequence((
            res.retcode, res.deal, res.order, wire_to_lots(res.volume), res.price, res.bid,
            res.ask, res.comment, action_id, 0, req,
        ))  # fmt: skip
        future.set_result(result)
        return result

    def connection_lost(self) -> None:
        """Fail every waiting request as 'outcome unknown' (the socket is gone)."""
        for future, _req in self._waiting.values():
            if not future.done():
                future.set_exception(TimeoutError())

    async def resolve_pending(self) -> list[TradeFate]:
        """After a reconnect: find each unresolved request among open and history orders.

        An executed DEAL leaves a history order, a placed PENDING an open order; both are
        matched by symbol, type and initial volume, set up no earlier than the send time
        (less a skew margin), each order claimed at most once.
        """
        if not self.unresolved:
            return []
        _positions, open_orders = bulk.decode_positions_orders_arrays(
            await self._request(Command.POSITIONS_ORDERS, b"")
        )
        since = int(min(s.sent_at for s in self.unresolved.values())) + self.server_offset
        history = await self._request(
            Command.TRADE_HISTORY,
            encode_history_request(HistoryRequest(max(since - _FATE_SKEW_S, 1), 0)),
        )
        _deals, history_orders = bulk.decode_history_arrays(history)
        candidates = []
        for arr in (open_orders, history_orders):
            symbols = bulk.decode_utf16_column(arr["trade_symbol"]).tolist() if len(arr) else []
            candidates += list(zip(arr["ticket"].tolist(), symbols, arr["type"].tolist(),
                                   arr["volume_initial"].tolist(), arr["time_setup"].tolist(),
                                   strict=True))  # fmt: skip
        fates, taken = [], set()
        for action_id, sent in sorted(self.unresolved.items()):
            req = sent.request
            start = int(sent.sent_at) + self.server_offset - _FATE_SKEW_S
            volume = lots_to_wire(req.volume)
            match = next(
                (t for t, sym, kind, vol, setup in candidates
                 if t not in taken and sym == req.symbol and kind == req.type
                 and vol == volume and setup >= start),
                None,
            )  # fmt: skip
            if match is not None:
                taken.add(match)
                self.magic.remember(req.action, match, req.magic)
                fates.append(TradeFate(action_id, req, True, match, "found"))
            else:
                fates.append(TradeFate(action_id, req, False))
        self.unresolved.clear()
        return fates
