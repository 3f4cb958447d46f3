"""TradingService's wait for push 19 (spec 3.7.1 / 3.7.2), driven through its requester seam.

The service waits for push 19 with a plain timeout on the result future (no task per trade):
these pin what that wait must keep doing - a result that arrived with the u32 answer, a
result that arrives later, a missing result (outcome unknown, remembered, never re-sent), and
a connection lost while waiting - and that no entry is left behind in any case.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from MetaTrader5.client import TradeOutcomeUnknownError
from MetaTrader5.client.trading import SymbolTradeTerms, TradingService
from MetaTrader5.protocol.messages import decode_trade_request
from MetaTrader5.protocol.messages.trading import encode_trade_response, encode_trade_result
from MetaTrader5.protocol.schemas.trading import TradeResult, TradeResultPush
from MetaTrader5.records import TradeRequest

TERMS = SymbolTradeTerms("EURUSD", 5, 0.01, 100.0, 0.01, exemode=2)


def _request(magic: int = 0) -> TradeRequest:
    base = dict(action=1, magic=magic, order=0, symbol="EURUSD", volume=0.1, price=0.0,
                stoplimit=0.0, sl=0.0, tp=0.0, deviation=10, type=0, type_filling=1,
                type_time=0, expiration=0, comment="", position=0, position_by=0)  # fmt: skip
    return TradeRequest._from_sequence(tuple(base.values()))


def _push19(payload: bytes, order: int, retcode: int = 10009) -> memoryview:
    """The push 19 body a server sends for ``payload`` (the request echo + a result)."""
    wire = decode_trade_request(payload)
    result = TradeResult(retcode=retcode, deal=order + 7, order=order, volume=10_000_000,
                         price=1.1, time=1, bid=1.1, ask=1.1001, last=0.0,
                         comment="Request executed")  # fmt: skip
    return memoryview(encode_trade_result(TradeResultPush(0, wire, result)))


def _service(on_request: Callable[[TradingService, bytes], Any], timeout: float) -> TradingService:
    holder: list[TradingService] = []

    async def requester(command: int, payload: bytes) -> memoryview:
        assert command == 12
        on_request(holder[0], payload)
        await asyncio.sleep(0)  # the answer comes back through the loop, as on a socket
        return memoryview(encode_trade_response(0))

    service = TradingService(requester, result_timeout=timeout)
    holder.append(service)
    return service


def test_result_that_came_with_the_answer() -> None:
    async def main() -> None:
        service = _service(lambda s, p: s.on_trade_result(_push19(p, 4242)), 5.0)
        result = await service.order_send(_request(magic=9), TERMS, 1.1, 1.1001)
        assert (result.retcode, result.order, result.volume) == (10009, 4242, 0.1)
        assert service.pending_count == 0 and not service.unresolved
        assert service.magic.position(4242, 0) == 9

    asyncio.run(main())


def test_result_that_comes_after_the_answer() -> None:
    def later(service: TradingService, payload: bytes) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, service.on_trade_result, _push19(payload, 77))

    async def main() -> None:
        service = _service(later, 5.0)
        result = await service.order_send(_request(), TERMS, 1.1, 1.1001)
        assert (result.retcode, result.order) == (10009, 77)
        assert service.pending_count == 0 and not service.unresolved

    asyncio.run(main())


def test_missing_result_is_an_unknown_outcome_and_a_late_one_is_still_matched() -> None:
    sent: list[bytes] = []

    async def main() -> None:
        service = _service(lambda s, p: sent.append(p), 0.1)
        with pytest.raises(TradeOutcomeUnknownError) as info:
            await service.order_send(_request(magic=5), TERMS, 1.1, 1.1001)
        assert "push 19" in str(info.value)
        action_id = decode_trade_request(sent[0]).action_id
        assert service.pending_count == 0 and list(service.unresolved) == [action_id]
        # The late result resolves nothing but still names our order for the magic book.
        assert service.on_trade_result(_push19(sent[0], 31)) is None
        assert not service.unresolved and service.magic.position(31, 0) == 5

    asyncio.run(main())


def test_connection_lost_while_waiting_for_the_result() -> None:
    def drop_soon(service: TradingService, payload: bytes) -> None:
        del payload
        asyncio.get_running_loop().call_later(0.02, service.connection_lost)

    async def main() -> None:
        service = _service(drop_soon, 5.0)
        with pytest.raises(TradeOutcomeUnknownError):
            await service.order_send(_request(), TERMS, 1.1, 1.1001)
        assert service.pending_count == 0 and len(service.unresolved) == 1

    asyncio.run(main())
