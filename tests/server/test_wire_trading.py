"""Trading over the wire: every order type end to end, with pushes 10, 14, 19 and history 5.

The clock is moved by hand, so pending orders, SL/TP and stop-out trigger from the live feed
deterministically. Trigger prices are chosen by looking ahead on the same seeded path (a
second MarketData whose clock stands later).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest
from simwire import (
    NETTING_LOGIN,
    NETTING_PASSWORD,
    SMALL_LOGIN,
    SMALL_PASSWORD,
    Frame,
    ManualSim,
    WireClient,
    trade_request,
)

from MetaTrader5 import constants as c
from MetaTrader5.protocol.messages.trading import (
    DealTransaction,
    decode_history,
    decode_positions_orders,
    decode_trade_result,
    decode_trade_update,
)
from MetaTrader5.protocol.schemas.trading import OrderTransaction, TradeResult
from MetaTrader5.server.clock import ServerClock

POINT = 1e-5
LOT = 100_000_000


@dataclass
class Outcome:
    word: int
    frames: list[Frame]
    result: TradeResult | None

    @property
    def commands(self) -> list[int]:
        return [f.command for f in self.frames]

    def updates(self) -> list[OrderTransaction | DealTransaction]:
        out: list[OrderTransaction | DealTransaction] = []
        for frame in self.frames:
            if frame.command == 10:
                out.extend(decode_trade_update(frame.body))
        return out

    def deals(self) -> list[DealTransaction]:
        return [u for u in self.updates() if isinstance(u, DealTransaction)]

    def orders(self) -> list[OrderTransaction]:
        return [u for u in self.updates() if isinstance(u, OrderTransaction)]


@dataclass
class Trader:
    wire: WireClient
    next_id: int = 1000
    seen: list[Frame] = field(default_factory=list)

    def send(self, **fields: object) -> Outcome:
        self.next_id += 1
        fields.setdefault("trade_symbol", "EURUSD")
        fields.setdefault("digits", 5)
        payload = trade_request(action_id=self.next_id, **fields)
        return self.send_raw(payload)

    def send_raw(self, payload: bytes) -> Outcome:
        self.wire.pushes.clear()
        answer = self.wire.request(12, payload)
        assert answer.code == 0
        (word,) = struct.unpack_from("<I", answer.body)
        if word:
            return Outcome(word, [], None)
        frames: list[Frame] = []
        while True:
            frame = self.wire.pushes.pop(0) if self.wire.pushes else self.wire.receive()
            if frame.command == 8:
                continue
            frames.append(frame)
            if frame.command == 19:
                return Outcome(0, frames, decode_trade_result(frame.body).result)

    def buy(self, volume: float = 0.01, **fields: object) -> Outcome:
        return self.send(trade_action=1, type=0, volume=round(volume * LOT), **fields)

    def sell(self, volume: float = 0.01, **fields: object) -> Outcome:
        return self.send(trade_action=1, type=1, volume=round(volume * LOT), **fields)

    def positions(self) -> dict[int, object]:
        book = decode_positions_orders(self.wire.request(4).body)
        return {p.position_id: p for p in book.positions}

    def open_orders(self) -> dict[int, object]:
        book = decode_positions_orders(self.wire.request(4).body)
        return {o.ticket: o for o in book.orders}

    def collect(self, seconds: float = 0.3) -> list[Frame]:
        return [f for f in self.wire.drain(seconds) if f.command != 8]


def _login(manual_sim: ManualSim, login: int | None = None, password: str | None = None) -> Trader:
    wire = WireClient(manual_sim.url)
    if login is None:
        assert wire.login().code == 0
    else:
        assert wire.login(login, password or "").code == 0
    wire.drain(0.05)
    wire.pushes.clear()
    return Trader(wire)


def _flatten(trader: Trader) -> None:
    """Close what a test left open, so later tests run against a light account."""
    book = decode_positions_orders(trader.wire.request(4).body)
    for position in book.positions:
        trader.send(trade_action=1, type=1 - position.type, position=position.position_id,
                    volume=position.volume, trade_symbol=position.trade_symbol)
    for order in book.orders:
        trader.send(trade_action=8, type=order.type, order=order.ticket,
                    volume=order.volume_initial, trade_symbol=order.trade_symbol)


@pytest.fixture
def trader(manual_sim: ManualSim) -> Iterator[Trader]:
    t = _login(manual_sim)
    try:
        yield t
        _flatten(t)
    finally:
        t.wire.close()


def _quote(manual_sim: ManualSim, symbol: str = "EURUSD") -> tuple[float, float]:
    q = manual_sim.handle.server.context.market.quote(symbol)
    assert q is not None
    return q[0], q[1]


def _future_ticks(manual_sim: ManualSim, seconds: int, symbol: str = "EURUSD") -> np.ndarray:
    """The ticks the feed will produce over the next ``seconds`` (same seed, later clock)."""
    context = manual_sim.handle.server.context
    now_utc = manual_sim.time.utc_ms
    later = ServerClock(context.clock.timezone, lambda: now_utc + seconds * 1000)
    market = context.config.build_market(later, context.catalog)
    start = context.clock.now_server_ms()
    return market.ticks(symbol, start + 1, start + seconds * 1000)


def _run(manual_sim: ManualSim, seconds: int, chunk: int = 1800) -> None:
    done = 0
    while done < seconds:
        step = min(chunk, seconds - done)
        manual_sim.advance(step, settle=0.0)
        done += step


# --- market orders --------------------------------------------------------------------------


def test_market_buy_pushes_then_result(trader: Trader) -> None:
    outcome = trader.buy(0.02)
    assert outcome.result is not None and outcome.result.retcode == c.TRADE_RETCODE_DONE
    assert outcome.commands[-1] == 19 and outcome.commands[0] == 10
    history = [o for o in outcome.orders() if o.flag_mask == 1]
    assert len(history) == 1 and history[0].order.state == c.ORDER_STATE_FILLED
    (deal,) = outcome.deals()
    assert deal.head.deal.entry == c.DEAL_ENTRY_IN and deal.head.deal.volume == 2_000_000
    assert deal.head.position.volume == 2_000_000
    ticket = outcome.result.order
    assert deal.head.position.position_id == ticket == deal.head.deal.position_id
    assert outcome.result.deal == deal.head.deal.ticket
    assert outcome.result.price == deal.head.deal.price > 0
    assert 14 not in outcome.commands  # opening changes no balance
    assert ticket in trader.positions()


def test_close_signals_zero_volume_once_and_updates_balance(trader: Trader) -> None:
    ticket = trader.buy(0.01).result.order  # type: ignore[union-attr]
    outcome = trader.sell(0.01, position=ticket)
    assert outcome.result is not None and outcome.result.retcode == c.TRADE_RETCODE_DONE
    (deal,) = outcome.deals()
    assert deal.head.deal.entry == c.DEAL_ENTRY_OUT
    assert deal.head.position.position_id == ticket and deal.head.position.volume == 0
    assert outcome.commands.index(10) < outcome.commands.index(14) < outcome.commands.index(19)
    assert ticket not in trader.positions()
    history = decode_history(trader.wire.request(5, struct.pack("<ii", 0, 0)).body)
    mine = [d for d in history.deals if d.position_id == ticket]
    assert [d.entry for d in mine] == [c.DEAL_ENTRY_IN, c.DEAL_ENTRY_OUT]
    assert any(d.type == c.DEAL_TYPE_BALANCE for d in history.deals)
    assert {o.ticket for o in history.orders} >= {ticket}


def test_partial_close_and_close_by(trader: Trader) -> None:
    long_ticket = trader.buy(0.03).result.order  # type: ignore[union-attr]
    partial = trader.sell(0.01, position=long_ticket)
    assert partial.result is not None and partial.result.retcode == c.TRADE_RETCODE_DONE
    assert partial.deals()[0].head.position.volume == 2_000_000
    short_ticket = trader.sell(0.01).result.order  # type: ignore[union-attr]
    close_by = trader.send(trade_action=10, type=c.ORDER_TYPE_CLOSE_BY, position=long_ticket,
                           position_by=short_ticket, volume=1_000_000)
    assert close_by.result is not None and close_by.result.retcode == c.TRADE_RETCODE_DONE
    positions = trader.positions()
    assert short_ticket not in positions
    assert positions[long_ticket].volume == 1_000_000  # type: ignore[attr-defined]
    closed = [d.head.position for d in close_by.deals() if d.head.position.volume == 0]
    assert [p.position_id for p in closed] == [short_ticket]


def test_netting_account_merges_positions(manual_sim: ManualSim) -> None:
    trader = _login(manual_sim, NETTING_LOGIN, NETTING_PASSWORD)
    try:
        first = trader.buy(0.01).result
        second = trader.buy(0.02).result
        assert first is not None and second is not None
        positions = trader.positions()
        assert len(positions) == 1
        assert next(iter(positions.values())).volume == 3_000_000  # type: ignore[attr-defined]
    finally:
        trader.wire.close()


def test_every_request_is_applied_at_most_once(trader: Trader) -> None:
    payload = trade_request(action_id=424242, trade_action=1, trade_symbol="EURUSD",
                            volume=1_000_000, digits=5, type=0)
    first = trader.send_raw(payload)
    again = trader.send_raw(payload)
    assert first.result == again.result and first.result is not None
    assert again.commands == [19]  # no second deal, no push 10


def test_short_236_byte_request_and_action_1_execute(trader: Trader) -> None:
    payload = trade_request(action_id=515151, trade_action=1, trade_symbol="EURUSD",
                            volume=1_000_000, digits=5, type=0)[:236]
    outcome = trader.send_raw(payload)
    assert outcome.result is not None and outcome.result.retcode == c.TRADE_RETCODE_DONE


@pytest.mark.parametrize(
    ("fields", "retcode"),
    [
        ({"trade_action": 1, "type": 0, "volume": 100_000}, c.TRADE_RETCODE_INVALID_VOLUME),
        ({"trade_action": 1, "type": 0, "volume": 1_000_000, "sl": 5.0},
         c.TRADE_RETCODE_INVALID_STOPS),
    ],
)
def test_rejections_use_real_retcodes(trader: Trader, fields: dict, retcode: int) -> None:  # type: ignore[type-arg]
    outcome = trader.send(**fields)
    code = outcome.word or (outcome.result.retcode if outcome.result else 0)
    assert code == retcode
    assert 10 not in outcome.commands


def test_other_sessions_of_the_account_see_updates(manual_sim: ManualSim) -> None:
    a, b = _login(manual_sim), _login(manual_sim)
    try:
        a.buy(0.01)
        frames = b.collect(0.3)
        assert 10 in [f.command for f in frames] and 19 not in [f.command for f in frames]
    finally:
        a.wire.close()
        b.wire.close()


# --- pending orders, modify, remove, triggers -----------------------------------------------


def test_place_modify_remove_pending(trader: Trader, manual_sim: ManualSim) -> None:
    bid, ask = _quote(manual_sim)
    placed = trader.send(trade_action=5, type=c.ORDER_TYPE_BUY_LIMIT, volume=1_000_000,
                         price_order=round(ask - 0.01, 5), type_filling=c.ORDER_FILLING_RETURN)
    assert placed.result is not None and placed.result.retcode == c.TRADE_RETCODE_PLACED
    (added,) = placed.orders()
    assert added.flag_mask == 0 and added.transaction_type == 0
    ticket = placed.result.order
    assert ticket in trader.open_orders()
    moved = trader.send(trade_action=7, type=c.ORDER_TYPE_BUY_LIMIT, order=ticket,
                        volume=1_000_000, price_order=round(ask - 0.02, 5))
    assert moved.result is not None and moved.result.retcode == c.TRADE_RETCODE_DONE
    assert trader.open_orders()[ticket].price_order == pytest.approx(ask - 0.02)  # type: ignore[attr-defined]
    removed = trader.send(trade_action=8, type=c.ORDER_TYPE_BUY_LIMIT, order=ticket,
                          volume=1_000_000)
    assert removed.result is not None and removed.result.retcode == c.TRADE_RETCODE_DONE
    kinds = [(o.flag_mask, o.transaction_type) for o in removed.orders()]
    assert (0, 2) in kinds and (1, 0) in kinds
    assert ticket not in trader.open_orders()
    del bid


WINDOW = 3 * 3600


def _stops_level(manual_sim: ManualSim) -> int:
    spec = manual_sim.handle.server.context.catalog.by_name("EURUSD")
    assert spec is not None
    return spec.stops_level


def _trigger_price(manual_sim: ManualSim, order_type: int) -> float:
    bid, ask = _quote(manual_sim)
    future = _future_ticks(manual_sim, WINDOW)
    margin = 3 * POINT
    away = (_stops_level(manual_sim) + 10) * POINT
    if order_type == c.ORDER_TYPE_BUY_LIMIT:
        price = round(float(future["ask"].min()) + margin, 5)
        ok = price < ask - away
    elif order_type == c.ORDER_TYPE_SELL_LIMIT:
        price = round(float(future["bid"].max()) - margin, 5)
        ok = price > bid + away
    elif order_type in (c.ORDER_TYPE_BUY_STOP, c.ORDER_TYPE_BUY_STOP_LIMIT):
        price = round(float(future["ask"].max()) - margin, 5)
        ok = price > ask + away
    else:
        price = round(float(future["bid"].min()) + margin, 5)
        ok = price < bid - away
    assert ok, "the seeded path does not cross far enough in the window"
    return price


@pytest.mark.parametrize(
    "order_type",
    [
        c.ORDER_TYPE_BUY_LIMIT,
        c.ORDER_TYPE_SELL_LIMIT,
        c.ORDER_TYPE_BUY_STOP,
        c.ORDER_TYPE_SELL_STOP,
        c.ORDER_TYPE_BUY_STOP_LIMIT,
        c.ORDER_TYPE_SELL_STOP_LIMIT,
    ],
)
def test_pending_order_triggers_from_the_feed(
    trader: Trader, manual_sim: ManualSim, order_type: int
) -> None:
    price = _trigger_price(manual_sim, order_type)
    fields: dict[str, object] = {"price_order": price}
    gap = (_stops_level(manual_sim) + 5) * POINT  # the limit placed at activation
    if order_type == c.ORDER_TYPE_BUY_STOP_LIMIT:
        fields["price_trigger"] = round(price - gap, 5)
    elif order_type == c.ORDER_TYPE_SELL_STOP_LIMIT:
        fields["price_trigger"] = round(price + gap, 5)
    placed = trader.send(trade_action=5, type=order_type, volume=1_000_000,
                         type_filling=c.ORDER_FILLING_RETURN, **fields)
    assert placed.result is not None and placed.result.retcode == c.TRADE_RETCODE_PLACED
    ticket = placed.result.order
    _run(manual_sim, WINDOW)
    frames = trader.collect(0.3)
    updates = [u for f in frames if f.command == 10 for u in decode_trade_update(f.body)]
    mine = [u for u in updates if isinstance(u, OrderTransaction) and u.order.ticket == ticket]
    if order_type >= c.ORDER_TYPE_BUY_STOP_LIMIT:
        # activation turns the stop-limit into a limit order (then it may fill or wait)
        assert mine, "the activation was pushed"
        still_open = trader.open_orders().get(ticket)
        if still_open is not None:
            assert still_open.type in (  # type: ignore[attr-defined]
                c.ORDER_TYPE_BUY_LIMIT, c.ORDER_TYPE_SELL_LIMIT
            )
    else:
        deleted = [u for u in mine if (u.flag_mask, u.transaction_type) == (0, 2)]
        assert len(deleted) == 1, "the pending order left the open list once"
        assert ticket not in trader.open_orders()
        deals = [u for u in updates if isinstance(u, DealTransaction)
                 and u.head.deal.order == ticket]
        assert deals and deals[0].head.deal.entry == c.DEAL_ENTRY_IN
        assert ticket in trader.positions()


def test_take_profit_triggers(trader: Trader, manual_sim: ManualSim) -> None:
    future = _future_ticks(manual_sim, WINDOW)
    bid, ask = _quote(manual_sim)
    up, down = float(future["bid"].max()) - bid, ask - float(future["ask"].min())
    buy = up >= down  # take profit on the side the path is about to reward
    opened = trader.buy(0.01) if buy else trader.sell(0.01)
    ticket = opened.result.order  # type: ignore[union-attr]
    if buy:
        tp = round(float(future["bid"].max()) - 3 * POINT, 5)
    else:
        tp = round(float(future["ask"].min()) + 3 * POINT, 5)
    assert abs(tp - (bid if buy else ask)) > (_stops_level(manual_sim) + 10) * POINT
    modified = trader.send(trade_action=6, type=0 if buy else 1, position=ticket,
                           volume=1_000_000, tp=tp)
    assert modified.result is not None and modified.result.retcode == c.TRADE_RETCODE_DONE
    (change,) = modified.deals()
    assert change.head.deal.ticket == 0 and change.head.position.tp == pytest.approx(tp)
    _run(manual_sim, WINDOW)
    frames = trader.collect(0.3)
    deals = [u.head for f in frames if f.command == 10 for u in decode_trade_update(f.body)
             if isinstance(u, DealTransaction) and u.head.deal.position_id == ticket]
    assert len(deals) == 1 and deals[0].deal.reason == c.DEAL_REASON_TP
    assert deals[0].position.volume == 0
    assert 14 in [f.command for f in frames]
    assert ticket not in trader.positions()


def test_stop_out(manual_sim: ManualSim) -> None:
    trader = _login(manual_sim, SMALL_LOGIN, SMALL_PASSWORD)
    try:
        future = _future_ticks(manual_sim, WINDOW)
        bid, ask = _quote(manual_sim)
        # bet against the coming move: buy if the price falls further than it rises
        falls = ask - float(future["bid"].min()) > float(future["ask"].max()) - bid
        opened = (trader.buy if falls else trader.sell)(8.0)
        assert opened.result is not None and opened.result.retcode == c.TRADE_RETCODE_DONE
        ticket = opened.result.order
        _run(manual_sim, WINDOW)
        frames = trader.collect(0.3)
        deals = [u.head for f in frames if f.command == 10 for u in decode_trade_update(f.body)
                 if isinstance(u, DealTransaction) and u.head.deal.position_id == ticket]
        assert deals and deals[-1].deal.reason == c.DEAL_REASON_SO
        assert ticket not in trader.positions()
        assert 14 in [f.command for f in frames]
    finally:
        trader.wire.close()


def test_pending_order_expires(trader: Trader, manual_sim: ManualSim) -> None:
    _, ask = _quote(manual_sim)
    server_now = manual_sim.handle.server.context.clock.now_server_ms() // 1000
    placed = trader.send(trade_action=5, type=c.ORDER_TYPE_BUY_LIMIT, volume=1_000_000,
                         price_order=round(ask - 0.05, 5), type_filling=c.ORDER_FILLING_RETURN,
                         type_time=c.ORDER_TIME_SPECIFIED, expiration=server_now + 60)
    assert placed.result is not None and placed.result.retcode == c.TRADE_RETCODE_PLACED
    ticket = placed.result.order
    _run(manual_sim, 300)
    frames = trader.collect(0.3)
    updates = [u for f in frames if f.command == 10 for u in decode_trade_update(f.body)]
    history = [u.order for u in updates if isinstance(u, OrderTransaction)
               and u.flag_mask == 1 and u.order.ticket == ticket]
    assert history and history[-1].state == c.ORDER_STATE_EXPIRED
    assert ticket not in trader.open_orders()
