"""Trading checks without a server: validation naming the field and its retcode, wire
action by exemode, the 248-byte request layout (through the protocol core's decoder)."""

from __future__ import annotations

from typing import Any

import pytest

from MetaTrader5.client import ValidationError
from MetaTrader5.client.trading import (
    SymbolTradeTerms,
    encode_request,
    validate_request,
    wire_action,
)
from MetaTrader5.protocol.messages import decode_trade_request
from MetaTrader5.records import TradeRequest

TERMS = SymbolTradeTerms("EURUSD", 5, 0.01, 100.0, 0.01, stops_level=10, exemode=2)


def req(**kw: Any) -> TradeRequest:
    base = dict(action=1, magic=0, order=0, symbol="EURUSD", volume=0.1, price=0.0,
                stoplimit=0.0, sl=0.0, tp=0.0, deviation=0, type=0, type_filling=0,
                type_time=0, expiration=0, comment="", position=0, position_by=0)  # fmt: skip
    base.update(kw)
    return TradeRequest._from_sequence(tuple(base.values()))


@pytest.mark.parametrize(
    ("kw", "field", "retcode"),
    [
        ({"volume": 0.0}, "volume", 10014),
        ({"volume": 0.001}, "volume", 10014),
        ({"volume": 150.0}, "volume", 10014),
        ({"volume": 0.015}, "volume", 10014),
        ({"action": 5, "type": 2, "price": 0.0, "type_filling": 2}, "price", 10015),
        ({"action": 5, "type": 0, "price": 1.0}, "type", 10035),
        ({"action": 5, "type": 6, "price": 1.2, "stoplimit": 0.0, "type_filling": 2},
         "stoplimit", 10015),
        ({"sl": -1.0}, "sl", 10016),
        ({"sl": 1.09995}, "sl", 10016),  # 5 points below bid 1.1, stops level 10
        ({"tp": 1.10005, "type": 1}, "tp", 10016),
        ({"type_filling": 3}, "type_filling", 10030),
        ({"action": 5, "type": 2, "price": 1.0, "type_filling": 2, "type_time": 2,
          "expiration": 100}, "expiration", 10022),
        ({"action": 6}, "position", 10013),
        ({"action": 8}, "order", 10013),
        ({"action": 10, "position": 5}, "position_by", 10013),
        ({"action": 3}, "action", 10013),
    ],
)
def test_validation_names_the_field(kw: dict[str, Any], field: str, retcode: int) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(**kw), TERMS, 1.1, 1.1001, now=1000)
    assert info.value.field == field and isinstance(info.value, ValueError)
    assert info.value.retcode == retcode


def test_trade_mode_checks() -> None:
    close_only = SymbolTradeTerms("EURUSD", 5, 0.01, 100.0, 0.01, trade_mode=3)
    with pytest.raises(ValidationError) as info:
        validate_request(req(), close_only, 1.1, 1.1001)
    assert info.value.retcode == 10044
    validate_request(req(position=7, type=1), close_only, 1.1, 1.1001)  # closing is allowed
    disabled = SymbolTradeTerms("EURUSD", 5, 0.01, 100.0, 0.01, trade_mode=0)
    with pytest.raises(ValidationError) as info:
        validate_request(req(position=7), disabled, 1.1, 1.1001)
    assert info.value.retcode == 10017


def test_request_layout_round_trips_through_the_protocol_core() -> None:
    request = req(volume=0.1, price=1.123456789, sl=1.1, comment="hello", position=42)
    wire = decode_trade_request(encode_request(4242, request, TERMS))
    assert (wire.action_id, wire.trade_action, wire.trade_symbol, wire.volume) == (
        4242, 3, "EURUSD", 10_000_000
    )
    assert (wire.price_order, wire.sl, wire.comment, wire.position) == (
        1.12346, 1.1, "hello", 42
    )
    assert wire.type_flags == 3  # a closing client request (spec 3.7.1)


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
