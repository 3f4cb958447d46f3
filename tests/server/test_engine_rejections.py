"""Every rejection retcode, and at-most-once execution."""

from __future__ import annotations

import pytest
from test_engine_fixtures import Rig

from MetaTrader5 import constants as c
from MetaTrader5.server.engine import TradeRequest, request_fingerprint

MKT = {"trade_action": 3, "symbol": "EURUSD", "type": 0}


@pytest.mark.parametrize(
    ("patch", "fields", "retcode"),
    [
        ({}, {"volume": 0.001}, c.TRADE_RETCODE_INVALID_VOLUME),
        ({}, {"volume": 0.015}, c.TRADE_RETCODE_INVALID_VOLUME),
        ({}, {"volume": 101.0}, c.TRADE_RETCODE_INVALID_VOLUME),
        ({}, {"volume": 0.0}, c.TRADE_RETCODE_INVALID_VOLUME),
        ({"stops_level": 20}, {"volume": 0.1, "sl": 1.09990}, c.TRADE_RETCODE_INVALID_STOPS),
        ({}, {"volume": 0.1, "tp": 1.09000}, c.TRADE_RETCODE_INVALID_STOPS),
        ({"trade_mode": 0}, {"volume": 0.1}, c.TRADE_RETCODE_TRADE_DISABLED),
        ({"trade_mode": 2}, {"volume": 0.1}, c.TRADE_RETCODE_SHORT_ONLY),
        ({"trade_mode": 1}, {"volume": 0.1, "type": 1}, c.TRADE_RETCODE_LONG_ONLY),
        ({"trade_mode": 3}, {"volume": 0.1}, c.TRADE_RETCODE_CLOSE_ONLY),
        ({"fill_flags": 2}, {"volume": 0.1, "type_filling": 0}, c.TRADE_RETCODE_INVALID_FILL),
        ({"fill_flags": 1}, {"volume": 0.1, "type_filling": 1}, c.TRADE_RETCODE_INVALID_FILL),
        ({"exemode": 1}, {"volume": 0.1, "type_filling": 2}, c.TRADE_RETCODE_INVALID_FILL),
        ({}, {"volume": 0.1, "type": 2}, c.TRADE_RETCODE_INVALID_ORDER),
        ({"order_flags": 126}, {"volume": 0.1}, c.TRADE_RETCODE_INVALID_ORDER),
        ({}, {"volume": 95.0}, c.TRADE_RETCODE_NO_MONEY),
        ({"exemode": 1}, {"volume": 0.1, "price": 1.10100, "deviation": 5},
         c.TRADE_RETCODE_REQUOTE),
        ({}, {"volume": 0.1, "symbol": "NOPE"}, c.TRADE_RETCODE_INVALID),
        ({}, {"volume": 0.1, "trade_action": 99}, c.TRADE_RETCODE_INVALID),
    ],
)
def test_market_rejections(patch: dict[str, int], fields: dict[str, object], retcode: int) -> None:
    rig = Rig()
    if patch:
        rig.market.patch("EURUSD", **patch)
    outcome, events = rig.send(**{**MKT, **fields})
    assert outcome.retcode == retcode
    assert events == [] and not rig.ledger.positions
    assert rig.account.balance == 100000.0


def test_return_filling_accepted_on_market_execution() -> None:
    rig = Rig()
    assert rig.send(**MKT, volume=0.1, type_filling=2)[0].retcode == c.TRADE_RETCODE_DONE


def test_instant_execution_within_deviation_fills() -> None:
    rig = Rig()
    rig.market.patch("EURUSD", exemode=1)
    out, _ = rig.send(**MKT, volume=0.1, price=1.10003, deviation=5)
    assert out.retcode == c.TRADE_RETCODE_DONE and out.price == 1.10000


def test_market_closed() -> None:
    rig = Rig()
    rig.market.closed.add("EURUSD")
    assert rig.send(**MKT, volume=0.1)[0].retcode == c.TRADE_RETCODE_MARKET_CLOSED


@pytest.mark.parametrize(
    ("fields", "retcode"),
    [
        ({"type": 2, "price": 1.10000}, c.TRADE_RETCODE_INVALID_PRICE),
        ({"type": 4, "price": 1.09000}, c.TRADE_RETCODE_INVALID_PRICE),
        ({"type": 2, "price": 1.090005}, c.TRADE_RETCODE_INVALID_PRICE),
        ({"type": 6, "price": 1.10100, "stoplimit": 1.10200}, c.TRADE_RETCODE_INVALID_PRICE),
        ({"type": 2, "price": 1.09000, "sl": 1.09500}, c.TRADE_RETCODE_INVALID_STOPS),
        ({"type": 2, "price": 1.09000, "type_time": 2, "expiration": 1},
         c.TRADE_RETCODE_INVALID_EXPIRATION),
        ({"type": 2, "price": 1.09000, "type_filling": 3}, c.TRADE_RETCODE_INVALID_FILL),
        ({"type": 8, "price": 1.09000}, c.TRADE_RETCODE_INVALID_ORDER),
    ],
)
def test_pending_rejections(fields: dict[str, object], retcode: int) -> None:
    rig = Rig()
    outcome, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, **fields)
    assert outcome.retcode == retcode and not rig.ledger.orders


def test_frozen_order_and_position() -> None:
    rig = Rig()
    rig.market.patch("EURUSD", freeze_level=50)
    placed, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=2, price=1.09980)
    assert placed.retcode == c.TRADE_RETCODE_PLACED
    assert rig.send(trade_action=8, order=placed.order)[0].retcode == c.TRADE_RETCODE_FROZEN
    opened = rig.buy(0.1, tp=1.10020)
    out, _ = rig.send(trade_action=6, position=opened.order, tp=1.10500)
    assert out.retcode == c.TRADE_RETCODE_FROZEN


def test_at_most_once() -> None:
    rig = Rig()
    request = TradeRequest(request_id=7, trade_action=3, symbol="EURUSD", volume=0.1, type=0)
    fp = request_fingerprint(request)
    first, _ = rig.engine.execute(rig.LOGIN, request, fingerprint=fp)
    again, replay = rig.engine.execute(rig.LOGIN, request, fingerprint=fp)
    assert again == first and replay == [] and len(rig.ledger.positions) == 1
    other = TradeRequest(request_id=7, trade_action=3, symbol="EURUSD", volume=0.2, type=0)
    third, _ = rig.engine.execute(rig.LOGIN, other, fingerprint=request_fingerprint(other))
    assert third.order != first.order and len(rig.ledger.positions) == 2


def test_dedupe_window_is_bounded() -> None:
    rig = Rig()
    rig.engine.dedupe.max_entries = 3
    for _ in range(10):
        rig.send(**MKT, volume=0.01)
    assert len(rig.engine.dedupe) == 3
