"""Trading: validation naming the field, wire action by exemode, push 19 matching, lost results."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest

from MetaTrader5.client import TradeOutcomeUnknownError, ValidationError
from MetaTrader5.client.trading import SymbolTradeTerms, validate_request, wire_action
from MetaTrader5.records import TradeRequest

from . import terminal_fixture as tf
from .test_client_session import _client
from .wire_server import WireServer

TERMS = SymbolTradeTerms("EURUSD", 5, 0.01, 100.0, 0.01, stops_level=10, exemode=2)


def req(**kw: Any) -> TradeRequest:
    base = dict(action=1, magic=0, order=0, symbol="EURUSD", volume=0.1, price=0.0,
                stoplimit=0.0, sl=0.0, tp=0.0, deviation=0, type=0, type_filling=0,
                type_time=0, expiration=0, comment="", position=0, position_by=0)  # fmt: skip
    base.update(kw)
    return TradeRequest._from_sequence(tuple(base.values()))


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"volume": 0.0}, "volume"),
        ({"volume": 0.001}, "volume"),
        ({"volume": 150.0}, "volume"),
        ({"volume": 0.015}, "volume"),
        ({"action": 5, "type": 2, "price": 0.0}, "price"),
        ({"action": 5, "type": 0, "price": 1.0}, "type"),
        ({"action": 5, "type": 6, "price": 1.2, "stoplimit": 0.0}, "stoplimit"),
        ({"sl": -1.0}, "sl"),
        ({"sl": 1.09995}, "sl"),  # 5 points below bid 1.1, stops level 10
        ({"tp": 1.10005, "type": 1}, "tp"),
        ({"action": 6}, "position"),
        ({"action": 8}, "order"),
        ({"action": 10, "position": 5}, "position_by"),
        ({"action": 3}, "action"),
    ],
)
def test_validation_names_the_field(kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(**kw), TERMS, 1.1, 1.1001)
    assert info.value.field == field and isinstance(info.value, ValueError)


def test_valid_requests_pass_and_volume_steps_use_decimals() -> None:
    validate_request(req(volume=0.3), TERMS, 1.1, 1.1001)  # 0.3 / 0.01 in floats is inexact
    validate_request(req(sl=1.0998, tp=1.2), TERMS, 1.1, 1.1001)
    validate_request(req(action=5, type=2, price=1.09), TERMS, 1.1, 1.1001)


def test_wire_action_by_exemode() -> None:
    deal = req()
    assert [wire_action(deal, SymbolTradeTerms("X", 5, 0.01, 1, 0.01, exemode=m))
            for m in (0, 1, 2, 3)] == [1, 2, 3, 4]  # fmt: skip
    big = SymbolTradeTerms("X", 5, 0.01, 10, 0.01, exemode=1, instant_volume=0.05)
    assert wire_action(deal, big) == 1
    assert wire_action(req(action=5, type=2, price=1.0), TERMS) == 5


def _result_push(action_id: int, retcode: int, order: int, volume: int, price: float) -> bytes:
    echo = struct.pack("<I", action_id) + bytes(244)
    result = struct.pack("<IqqqdIddd64s", retcode, order + 1, order, volume, price, 0,
                         price, price, 0.0, "done".encode("utf-16-le"))  # fmt: skip
    return struct.pack("<I", 0) + echo + result


def _order_record(ticket: int, symbol: str, kind: int, volume: int) -> bytes:
    rec = bytearray(356)
    struct.pack_into("<q", rec, 0, ticket)
    rec[72:136] = tf.s16(symbol, 64)
    struct.pack_into("<I", rec, 148, kind)
    struct.pack_into("<q", rec, 204, volume)
    return bytes(rec)


def test_order_send_accept_reject_and_lost_result() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            mode = {"v": "accept"}

            def trade(payload: bytes) -> tuple[int, bytes] | None:
                assert len(payload) == 248
                action_id, action = struct.unpack_from("<II", payload)
                assert action == 3  # market execution (exemode 2)
                (volume,) = struct.unpack_from("<Q", payload, 72)
                if mode["v"] == "reject":
                    return (0, struct.pack("<I", 10019))
                if mode["v"] == "accept":
                    server.loop_call(
                        lambda: server.push(19, _result_push(action_id, 10009, 55, volume, 1.1))
                    )
                return (0, struct.pack("<I", 0))

            server.handlers[12] = trade
            async with _client(server.url, timeout=0.3) as client:
                ok = await client.order_send(req(), TERMS)
                assert (ok.retcode, ok.order, ok.deal, ok.volume, ok.comment) == (
                    10009, 55, 56, 0.1, "done"
                )
                assert ok.request_id >= 1000 and ok.request.volume == 0.1
                mode["v"] = "reject"
                bad = await client.order_send(req(), TERMS)
                assert bad.retcode == 10019 and bad.order == 0
                mode["v"] = "silent"
                with pytest.raises(TradeOutcomeUnknownError) as info:
                    await client.order_send(req(), TERMS)
                assert "push 19" in info.value.stage
                assert client.trading.pending_count == 0
                assert len(client.trading.unresolved) == 1
                with pytest.raises(ValidationError):
                    await client.order_send(req(volume=0.0), TERMS)
                assert sum(1 for c, _ in server.received if c == 12) == 3

    asyncio.run(asyncio.wait_for(main(), 20))


def test_drop_after_send_is_never_resent_and_fate_is_resolved() -> None:
    async def main() -> None:
        async with WireServer() as server:
            tf.login_handler(server)
            ledger: list[bytes] = []

            def trade(payload: bytes) -> None:
                ledger.append(payload)
                server.loop_call(server.drop)  # the answer is lost with the connection

            server.handlers[12] = trade
            server.handlers[4] = lambda p: (
                0, struct.pack("<I", 0) + struct.pack("<I", 1)
                + _order_record(901, "EURUSD", 0, 10_000_000),
            )  # fmt: skip
            server.handlers[5] = lambda p: (0, struct.pack("<II", 0, 0))
            client = _client(server.url)
            fates: list[Any] = []
            client.hub.subscribe("trade_fate", fates.append)
            await client.open()
            with pytest.raises(TradeOutcomeUnknownError):
                await client.order_send(req(), TERMS)
            for _ in range(100):
                if fates:
                    break
                await asyncio.sleep(0.02)
            assert len(ledger) == 1  # 0 duplicated
            assert fates and fates[0].found and fates[0].order == 901  # 0 lost
            assert not client.trading.unresolved and client.trading.pending_count == 0
            await client.close()

    asyncio.run(asyncio.wait_for(main(), 20))
