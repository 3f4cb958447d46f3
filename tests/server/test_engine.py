"""Engine scenarios per order type on hedging and netting accounts, with hand-computed money."""

from __future__ import annotations

import pytest
from test_engine_fixtures import START_MS, Rig

from MetaTrader5 import constants as c
from MetaTrader5.server.engine import EventKind


@pytest.fixture(params=["hedging", "netting"])
def rig(request: pytest.FixtureRequest) -> Rig:
    return Rig(request.param)


def test_initial_balance_is_a_balance_deal() -> None:
    rig = Rig()
    (deal,) = rig.ledger.all_deals()
    assert deal.type == c.DEAL_TYPE_BALANCE and deal.symbol == "" and deal.profit == 100000.0
    assert rig.account.balance == 100000.0


def test_market_buy_margin_and_profit_hand_computed(rig: Rig) -> None:
    rig.market.patch("EURUSD", commission_per_lot=3.5)
    outcome, events = rig.send(trade_action=3, symbol="EURUSD", volume=1.0, type=0)
    assert outcome.retcode == c.TRADE_RETCODE_DONE and outcome.comment == "Request executed"
    assert outcome.price == 1.10000 and outcome.volume == 1.0
    # 1 lot EURUSD at 1.10000, leverage 100, USD account: 100000 * 1.1 / 100 = 1100.00
    assert rig.engine.state(rig.LOGIN).margin == 1100.00
    assert [e.kind for e in events] == [EventKind.HISTORY_ORDER, EventKind.DEAL]
    assert events[0].order is not None and events[0].order.state == c.ORDER_STATE_FILLED
    deal, position = events[1].deal, events[1].position
    assert deal is not None and position is not None
    assert deal.entry == c.DEAL_ENTRY_IN and deal.commission == -3.5
    assert position.ticket == outcome.order == deal.position_id == deal.order
    assert events[1].balance == 100000.0 - 3.5
    # 10 pips (100 points on a 5-digit symbol) higher: 0.001 * 100000 = 100.00 USD
    rig.tick(1.10100, 1.10102)
    closed, events = rig.send(trade_action=3, symbol="EURUSD", volume=1.0, type=1,
                              position=position.ticket)
    assert closed.retcode == c.TRADE_RETCODE_DONE and closed.price == 1.10100
    out = events[1].deal
    assert out is not None and out.entry == c.DEAL_ENTRY_OUT
    assert out.profit == pytest.approx(100.00) and out.commission == -3.5
    assert events[1].position is not None and events[1].position.volume == 0
    assert rig.account.balance == pytest.approx(100000.0 + 100.0 - 7.0)
    assert not rig.ledger.positions


def test_market_sell_and_usdjpy_profit_conversion(rig: Rig) -> None:
    outcome = rig.sell(1.0, "USDJPY")
    assert outcome.price == 150.000
    # Margin currency USD = account currency: 100000 / 100
    assert rig.engine.state(rig.LOGIN).margin == 1000.00
    rig.tick(149.890, 149.900, "USDJPY")
    # Sell closed at ask 149.900: 0.1 JPY * 100000 = 10000 JPY; gain at bid of USDJPY reversed
    profit = rig.engine.state(rig.LOGIN).profit
    assert profit == pytest.approx(round(10000 / 149.900, 2))


def test_partial_close(rig: Rig) -> None:
    opened = rig.buy(1.0)
    rig.tick(1.10020, 1.10020)
    out, events = rig.send(trade_action=3, symbol="EURUSD", volume=0.4, type=1,
                           position=opened.order)
    assert out.retcode == c.TRADE_RETCODE_DONE
    position = events[-1].position
    assert position is not None and position.volume == 60_000_000
    assert events[-1].deal is not None and events[-1].deal.profit == pytest.approx(8.0)
    assert rig.ledger.positions[opened.order].volume == 60_000_000


def test_close_volume_larger_than_position_is_10038(rig: Rig) -> None:
    opened = rig.buy(0.5)
    out, _ = rig.send(trade_action=3, symbol="EURUSD", volume=0.6, type=1, position=opened.order)
    assert out.retcode == c.TRADE_RETCODE_INVALID_CLOSE_VOLUME


def test_closed_position_is_10036(rig: Rig) -> None:
    out, _ = rig.send(trade_action=3, symbol="EURUSD", volume=0.1, type=1, position=424242)
    assert out.retcode == c.TRADE_RETCODE_POSITION_CLOSED


def test_netting_reduce_and_reverse() -> None:
    rig = Rig("netting")
    first = rig.buy(1.0)
    rig.buy(1.0)
    assert len(rig.ledger.positions) == 1
    (position,) = rig.ledger.positions.values()
    assert position.volume == 200_000_000 and position.ticket == first.order
    rig.tick(1.10050, 1.10050)
    _, events = rig.send(trade_action=3, symbol="EURUSD", volume=0.5, type=1)
    assert events[-1].deal is not None and events[-1].deal.entry == c.DEAL_ENTRY_OUT
    _, events = rig.send(trade_action=3, symbol="EURUSD", volume=2.0, type=1)
    deal, pos = events[-1].deal, events[-1].position
    assert deal is not None and pos is not None
    assert deal.entry == c.DEAL_ENTRY_INOUT and pos.type == 1 and pos.volume == 50_000_000
    assert pos.ticket == first.order  # reversal keeps the position identifier
    assert deal.profit == pytest.approx(1.5 * 100000 * 0.0005)


def test_hedging_opens_separate_positions() -> None:
    rig = Rig("hedging")
    a, b = rig.buy(1.0), rig.sell(1.0)
    assert set(rig.ledger.positions) == {a.order, b.order}


@pytest.mark.parametrize(
    ("otype", "price", "fill_bid", "fill_ask", "deal_type"),
    [
        (c.ORDER_TYPE_BUY_LIMIT, 1.09900, 1.09890, 1.09900, c.DEAL_TYPE_BUY),
        (c.ORDER_TYPE_SELL_LIMIT, 1.10100, 1.10100, 1.10110, c.DEAL_TYPE_SELL),
        (c.ORDER_TYPE_BUY_STOP, 1.10100, 1.10095, 1.10105, c.DEAL_TYPE_BUY),
        (c.ORDER_TYPE_SELL_STOP, 1.09900, 1.09895, 1.09905, c.DEAL_TYPE_SELL),
    ],
)
def test_pending_orders_trigger(
    rig: Rig, otype: int, price: float, fill_bid: float, fill_ask: float, deal_type: int
) -> None:
    out, events = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=otype, price=price)
    assert out.retcode == c.TRADE_RETCODE_PLACED and out.order in rig.ledger.orders
    assert [e.kind for e in events] == [EventKind.ORDER]
    assert rig.tick(1.10000, 1.10002) == []
    events = rig.tick(fill_bid, fill_ask)
    assert [e.kind for e in events] == [
        EventKind.ORDER_DELETE, EventKind.HISTORY_ORDER, EventKind.DEAL]
    deal = events[2].deal
    assert deal is not None and deal.type == deal_type and deal.order == out.order
    assert deal.position_id == out.order and deal.reason == c.DEAL_REASON_WEB
    history = rig.ledger.history_order(out.order)
    assert history.state == c.ORDER_STATE_FILLED and history.position_id == out.order
    assert rig.ledger.positions[out.order].reason == c.POSITION_REASON_WEB


@pytest.mark.parametrize(
    ("otype", "stop", "limit", "trigger", "fill"),
    [
        (c.ORDER_TYPE_BUY_STOP_LIMIT, 1.10100, 1.10050, (1.10100, 1.10100),
         (1.10040, 1.10050)),
        (c.ORDER_TYPE_SELL_STOP_LIMIT, 1.09900, 1.09950, (1.09900, 1.09900),
         (1.09950, 1.09960)),
    ],
)
def test_stop_limit_places_limit_then_fills(
    rig: Rig, otype: int, stop: float, limit: float, trigger: tuple[float, float],
    fill: tuple[float, float],
) -> None:
    out, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=otype, price=stop,
                      stoplimit=limit)
    assert out.retcode == c.TRADE_RETCODE_PLACED
    order = rig.ledger.orders[out.order]
    assert order.price_open == stop and order.price_stoplimit == limit
    events = rig.tick(*trigger)
    kinds = [e.kind for e in events]
    assert kinds == [EventKind.ORDER_DELETE, EventKind.HISTORY_ORDER, EventKind.ORDER]
    new = events[2].order
    assert new is not None and new.type == otype - 4 and new.price_open == limit
    events = rig.tick(*fill)
    assert events[-1].deal is not None and events[-1].deal.order == new.ticket


def test_sl_and_tp_trigger(rig: Rig) -> None:
    rig.market.patch("EURUSD", stops_level=10)
    opened = rig.buy(1.0, sl=1.09800, tp=1.10300)
    assert opened.retcode == c.TRADE_RETCODE_DONE
    events = rig.tick(1.09800, 1.09810)
    deal = events[-1].deal
    assert deal is not None and deal.reason == c.DEAL_REASON_SL and deal.entry == c.DEAL_ENTRY_OUT
    assert deal.price == 1.09800 and deal.profit == pytest.approx(-200.0)
    order = rig.ledger.history_order(deal.order)
    assert order.reason == c.ORDER_REASON_SL and order.position_id == opened.order
    if rig.account.hedging:
        sold = rig.sell(1.0, tp=1.09500)
        events = rig.tick(1.09480, 1.09490)
        assert events[-1].deal is not None and events[-1].deal.reason == c.DEAL_REASON_TP
        assert events[-1].deal.position_id == sold.order


def test_modify_sltp_and_pending_and_remove(rig: Rig) -> None:
    opened = rig.buy(1.0)
    out, events = rig.send(trade_action=6, symbol="EURUSD", position=opened.order,
                           sl=1.09000, tp=1.12000)
    assert out.retcode == c.TRADE_RETCODE_DONE
    assert [e.kind for e in events] == [EventKind.POSITION]
    assert rig.ledger.positions[opened.order].sl == 1.09000
    same, _ = rig.send(trade_action=6, symbol="EURUSD", position=opened.order,
                       sl=1.09000, tp=1.12000)
    assert same.retcode == c.TRADE_RETCODE_NO_CHANGES
    placed, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=2, price=1.09000)
    mod, events = rig.send(trade_action=7, order=placed.order, price=1.08500, sl=1.08000)
    assert mod.retcode == c.TRADE_RETCODE_DONE and [e.kind for e in events] == [EventKind.ORDER]
    assert rig.ledger.orders[placed.order].price_open == 1.08500
    removed, events = rig.send(trade_action=8, order=placed.order)
    assert removed.retcode == c.TRADE_RETCODE_DONE
    assert [e.kind for e in events] == [EventKind.ORDER_DELETE, EventKind.HISTORY_ORDER]
    assert rig.ledger.history_order(placed.order).state == c.ORDER_STATE_CANCELED
    again, _ = rig.send(trade_action=8, order=placed.order)
    assert again.retcode == c.TRADE_RETCODE_INVALID


def test_close_by() -> None:
    rig = Rig("hedging")
    a = rig.buy(1.0)
    rig.tick(1.10100, 1.10100)
    b = rig.sell(0.5)
    out, events = rig.send(trade_action=10, symbol="EURUSD", position=a.order,
                           position_by=b.order)
    assert out.retcode == c.TRADE_RETCODE_DONE
    kinds = [e.kind for e in events]
    assert kinds == [EventKind.HISTORY_ORDER, EventKind.DEAL, EventKind.DEAL]
    d1, d2 = events[1].deal, events[2].deal
    assert d1 is not None and d2 is not None
    assert d1.entry == d2.entry == c.DEAL_ENTRY_OUT_BY
    assert d1.profit + d2.profit == pytest.approx(0.5 * 100000 * 0.001)
    assert events[2].position is not None and events[2].position.volume == 0
    assert rig.ledger.positions[a.order].volume == 50_000_000
    order = rig.ledger.history_order(out.order)
    assert order.type == c.ORDER_TYPE_CLOSE_BY and order.position_by_id == b.order
    netting = Rig("netting")
    refused, _ = netting.send(trade_action=10, position=1, position_by=2)
    assert refused.retcode == c.TRADE_RETCODE_INVALID


def test_expiration(rig: Rig) -> None:
    expiry_s = START_MS // 1000 + 60
    out, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=2, price=1.09000,
                      type_time=c.ORDER_TIME_SPECIFIED, expiration=expiry_s)
    assert out.retcode == c.TRADE_RETCODE_PLACED
    rig.market.now = expiry_s * 1000 - 1000
    events = rig.tick(1.10000, 1.10000)
    assert events and [e.kind for e in events] == [
        EventKind.ORDER_DELETE, EventKind.HISTORY_ORDER]
    assert rig.ledger.history_order(out.order).state == c.ORDER_STATE_EXPIRED
    bad, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=2, price=1.09000,
                      type_time=c.ORDER_TIME_SPECIFIED, expiration=START_MS // 1000)
    assert bad.retcode == c.TRADE_RETCODE_INVALID_EXPIRATION


def test_stop_out_closes_most_losing_first(rig: Rig) -> None:
    rig = Rig("hedging" if rig.account.hedging else "netting", balance=3000.0)
    loser = rig.buy(2.0)  # margin 2200
    rig.buy(0.5, "USDJPY")  # margin 500
    rig.tick(1.09100, 1.09100)  # -1800 on EURUSD: equity 1200 < 50% of 2700
    deals = [d for d in rig.ledger.all_deals() if d.reason == c.DEAL_REASON_SO]
    assert deals and deals[0].position_id == loser.order
    assert loser.order not in rig.ledger.positions
    state = rig.engine.state(rig.LOGIN)
    assert state.margin == 0 or state.margin_level >= rig.account.margin_so_so


def test_ticket_conventions(rig: Rig) -> None:
    a = rig.buy(0.1)
    b = rig.sell(0.1, "USDJPY")
    assert b.order > a.order and b.deal > a.deal
    for position in rig.ledger.positions.values():
        assert rig.ledger.history_order(position.ticket) is not None
        assert [d.entry for d in rig.ledger.deals_by_position(position.ticket)] == [0]
    assert rig.ledger.deals_by_order(a.order)[0].ticket == a.deal
    orders = rig.ledger.history_orders(START_MS, START_MS + 10_000)
    assert [o.ticket for o in orders] == [a.order, b.order]
    assert rig.ledger.history_orders(0, START_MS - 1) == []


def test_swap_rollover_triple_on_wednesday() -> None:
    rig = Rig("hedging")
    rig.market.patch("EURUSD", swap_mode=c.SYMBOL_SWAP_MODE_POINTS, swap_long=-5.0,
                     swap_rollover3days=3)
    opened = rig.buy(1.0)
    tuesday = (START_MS // 86_400_000 + 1) * 86_400_000  # midnight after the Tuesday start
    events = rig.engine.rollover(tuesday)  # a Wednesday
    assert rig.ledger.positions[opened.order].swap == pytest.approx(-15.0)  # -5 pt * $1/pt * 3
    assert [e.kind for e in events] == [EventKind.POSITION]
    rig.engine.rollover(tuesday + 86_400_000)  # Thursday
    assert rig.ledger.positions[opened.order].swap == pytest.approx(-20.0)
    _, events = rig.send(trade_action=3, symbol="EURUSD", volume=1.0, type=1,
                         position=opened.order)
    assert events[-1].deal is not None and events[-1].deal.swap == pytest.approx(-20.0)
    assert rig.account.balance == pytest.approx(100000.0 - 20.0)


def test_balance_operations() -> None:
    rig = Rig()
    events = rig.engine.balance_operation(rig.LOGIN, -500.0, comment="Withdrawal")
    assert rig.account.balance == 99500.0
    assert events[0].deal is not None and events[0].position is None
    assert events[0].deal.type == c.DEAL_TYPE_BALANCE and events[0].balance == 99500.0
