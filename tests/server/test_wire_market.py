"""Market data over the wire: rates 11, ticks 7/8, books 22/23, spreads 20, extension 30002.

The simulator here runs on a hand-moved clock, so the feed is deterministic: advancing the
clock by a minute makes the pump send exactly the ticks of that minute.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator

import numpy as np
import pytest
from simwire import JULY_UTC_MS, ManualSim, WireClient, id_list, make_config, manual_clock

from MetaTrader5 import constants as c
from MetaTrader5.protocol import bulk
from MetaTrader5.protocol.extension import (
    TickHistoryRequest,
    decode_tick_history,
    encode_tick_history_request,
)
from MetaTrader5.protocol.messages.market import (
    decode_book,
    decode_symbol_details,
    encode_rates_request,
)
from MetaTrader5.protocol.schemas.market import RatesRequest
from MetaTrader5.server import start_simulator
from MetaTrader5.server.history import timeframe_seconds

ALL_TIMEFRAMES = [
    c.TIMEFRAME_M1, c.TIMEFRAME_M2, c.TIMEFRAME_M3, c.TIMEFRAME_M4, c.TIMEFRAME_M5,
    c.TIMEFRAME_M6, c.TIMEFRAME_M10, c.TIMEFRAME_M12, c.TIMEFRAME_M15, c.TIMEFRAME_M20,
    c.TIMEFRAME_M30, c.TIMEFRAME_H1, c.TIMEFRAME_H2, c.TIMEFRAME_H3, c.TIMEFRAME_H4,
    c.TIMEFRAME_H6, c.TIMEFRAME_H8, c.TIMEFRAME_H12, c.TIMEFRAME_D1, c.TIMEFRAME_W1,
    c.TIMEFRAME_MN1,
]  # fmt: skip


@pytest.fixture
def wire(manual_sim: ManualSim) -> Iterator[WireClient]:
    client = WireClient(manual_sim.url)
    assert client.login().code == 0
    client.drain(0.05)
    try:
        yield client
    finally:
        client.close()


def _symbol_id(manual_sim: ManualSim, name: str) -> int:
    spec = manual_sim.handle.server.context.catalog.by_name(name)
    assert spec is not None
    return spec.symbol_id


def _server_now_s(manual_sim: ManualSim) -> int:
    return manual_sim.handle.server.context.clock.now_server_ms() // 1000


def _rates(wire: WireClient, symbol: str, period: int, start: int, end: int) -> np.ndarray:
    answer = wire.request(11, encode_rates_request(RatesRequest(symbol, period, start, end)))
    assert answer.code == 0
    return bulk.decode_bars(answer.body)


def test_m1_bars_of_the_last_hour(wire: WireClient, manual_sim: ManualSim) -> None:
    now = _server_now_s(manual_sim)
    bars = _rates(wire, "EURUSD", c.TIMEFRAME_M1, now - 3600, now)
    assert 59 <= len(bars) <= 61
    times = bars["time"]
    assert np.all(times % 60 == 0) and np.all(np.diff(times) > 0)
    assert times[0] >= now - 3600 and times[-1] <= now
    assert np.all(bars["low"] <= bars["open"]) and np.all(bars["open"] <= bars["high"])
    expected = manual_sim.handle.server.context.market.bars("EURUSD", c.TIMEFRAME_M1,
                                                           now - 3600, now)
    assert np.array_equal(bars["close"], expected["close"])


def test_h1_bar_aggregates_its_m1_bars(wire: WireClient, manual_sim: ManualSim) -> None:
    now = _server_now_s(manual_sim)
    hour = (now // 3600 - 3) * 3600
    h1 = _rates(wire, "GBPUSD", c.TIMEFRAME_H1, hour, hour)
    m1 = _rates(wire, "GBPUSD", c.TIMEFRAME_M1, hour, hour + 3599)
    assert len(h1) == 1 and len(m1) == 60
    bar = h1[0]
    assert bar["time"] == hour
    assert bar["open"] == m1["open"][0] and bar["close"] == m1["close"][-1]
    assert bar["high"] == m1["high"].max() and bar["low"] == m1["low"].min()
    assert bar["tick_volume"] == m1["tick_volume"].sum()


@pytest.mark.parametrize("period", ALL_TIMEFRAMES)
def test_every_timeframe_is_served_aligned(
    wire: WireClient, manual_sim: ManualSim, period: int
) -> None:
    now = _server_now_s(manual_sim)
    bars = _rates(wire, "XAUUSD", period, now - 400 * 86_400, now)
    assert len(bars) > 0
    assert np.all(np.diff(bars["time"]) > 0)
    step = timeframe_seconds(period)
    if 0 < step <= 86_400:
        assert np.all(bars["time"] % step == 0)
    assert len(bars) <= 100_000  # one answer is capped; clients page forward


def test_bad_rates_requests(wire: WireClient, manual_sim: ManualSim) -> None:
    now = _server_now_s(manual_sim)
    for symbol, period in (("NOPE", 1), ("EURUSD", 7)):
        request = RatesRequest(symbol, period, now - 60, now)
        assert wire.request(11, encode_rates_request(request)).code == 1
    empty = wire.request(11, encode_rates_request(RatesRequest("EURUSD", 1, now, now - 600)))
    assert empty.code == 0 and empty.body == b""


def _tick_pushes(frames: list) -> np.ndarray:  # type: ignore[type-arg]
    bodies = [bytes(f.body) for f in frames if f.command == 8]
    return bulk.decode_ticks(b"".join(bodies)) if bodies else bulk.decode_ticks(b"")


def test_tick_subscription_streams_the_path(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd = _symbol_id(manual_sim, "EURUSD")
    assert wire.request(7, id_list([eurusd])).code == 0
    first = bulk.decode_ticks(wire.take_push(8).body)  # the current quote, at once
    assert list(first["symbol_id"]) == [eurusd]
    assert first["fields"][0] & 3 == 3
    start = manual_sim.handle.server.context.clock.now_server_ms()
    manual_sim.advance(120)
    ticks = _tick_pushes(wire.drain(0.3))
    assert len(ticks) > 5 and set(ticks["symbol_id"]) == {eurusd}
    official = bulk.ticks_to_official(ticks, 5)
    expected = manual_sim.handle.server.context.market.ticks("EURUSD", start + 1, start + 120_000)
    assert np.array_equal(official["time_msc"], expected["time_msc"])
    assert np.allclose(official["bid"], expected["bid"]) and np.allclose(
        official["ask"], expected["ask"]
    )
    # bid/ask travel scaled by 10^digits (spec 3.5.1)
    assert 10_000 < ticks["bid"][0] < 1_000_000


def test_subscription_replace_semantics(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd, gbpusd = _symbol_id(manual_sim, "EURUSD"), _symbol_id(manual_sim, "GBPUSD")
    wire.request(7, id_list([eurusd]))
    wire.request(7, id_list([gbpusd]))
    wire.drain(0.2)
    manual_sim.advance(120)
    assert set(_tick_pushes(wire.drain(0.3))["symbol_id"]) == {gbpusd}
    wire.request(7, id_list([]))  # empty list stops the feed
    wire.drain(0.2)
    manual_sim.advance(120)
    assert len(_tick_pushes(wire.drain(0.3))) == 0


def test_book_subscription(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd = _symbol_id(manual_sim, "EURUSD")
    assert wire.request(22, id_list([eurusd])).code == 0
    entries = decode_book(wire.take_push(23).body)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.header.symbol_id == eurusd and entry.header.books_flags & 2
    types = {level.type for level in entry.levels}
    assert types == {1, 2}
    asks = [lv.price for lv in entry.levels if lv.type == 1]
    bids = [lv.price for lv in entry.levels if lv.type == 2]
    assert min(asks) > max(bids) > 10_000  # integer prices x 10^5
    manual_sim.advance(60)
    assert any(f.command == 23 for f in wire.drain(0.3))
    wire.request(22, id_list([]))


def test_margin_spreads_are_empty(wire: WireClient, manual_sim: ManualSim) -> None:
    answer = wire.request(20, id_list([_symbol_id(manual_sim, "EURUSD")]))
    assert answer.code == 0 and answer.body == b""


def _history(wire: WireClient, symbol_id: int, start: int, end: int, count: int,
             flags: int = c.COPY_TICKS_ALL) -> np.ndarray:
    request = TickHistoryRequest(symbol_id, start, end, count, flags)
    answer = wire.request(30002, encode_tick_history_request(request))
    assert answer.code == 0
    return decode_tick_history(answer.body)


def test_tick_history_extension_pages(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd = _symbol_id(manual_sim, "EURUSD")
    now = manual_sim.handle.server.context.clock.now_server_ms()
    start = now - 30 * 60_000
    everything = _history(wire, eurusd, start, now, 1_000_000)
    assert len(everything) > 100
    assert everything["time_msc"][0] >= start and everything["time_msc"][-1] <= now
    assert np.all(np.diff(everything["time_msc"]) >= 0)
    page1 = _history(wire, eurusd, start, now, 50)
    page2 = _history(wire, eurusd, int(page1["time_msc"][-1]) + 1, now, 50)
    assert len(page1) >= 50  # more only to finish the last millisecond
    joined = np.concatenate((page1, page2))
    assert np.array_equal(joined, everything[: len(joined)])
    expected = manual_sim.handle.server.context.market.ticks("EURUSD", start, now)
    assert np.allclose(everything["bid"], expected["bid"])
    assert len(_history(wire, eurusd, start, now, 1_000_000, c.COPY_TICKS_TRADE)) == 0


def test_tick_history_bad_requests(wire: WireClient, manual_sim: ManualSim) -> None:
    request = TickHistoryRequest(999_999, 0, 1, 10, -1)
    assert wire.request(30002, encode_tick_history_request(request)).code == 1
    anonymous = WireClient(manual_sim.url)
    try:
        anonymous.bootstrap()
        valid = TickHistoryRequest(_symbol_id(manual_sim, "EURUSD"), 0, 1, 10, -1)
        # not announced on this connection (no login): no answer at all, like any unknown id
        anonymous.send(30002, encode_tick_history_request(valid))
        anonymous.send(51)
        assert [f.command for f in anonymous.drain(0.3)] == [51]
    finally:
        anonymous.close()
    assert struct.calcsize("<IqqIi") == 28


def test_session_statistics_push(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd = _symbol_id(manual_sim, "EURUSD")
    wire.request(7, id_list([eurusd]))
    (details,) = decode_symbol_details(wire.take_push(17).body)
    assert details.symbol_id == eurusd and details.fields & 0b111111 == 0b111111
    assert details.bid_low <= details.bid_last <= details.bid_high
    assert details.ask_low <= details.ask_last <= details.ask_high
    assert details.price_open > 0 and details.price_close > 0
    # bid_last is the current bid, scaled like tick prices (spec 3.5.2)
    bid, _, _ = manual_sim.handle.server.context.market.quote("EURUSD") or (0, 0, 0)
    assert details.bid_last == pytest.approx(bid * 1e5)
    expected_change = (details.bid_last / details.price_close - 1) * 100 * 100
    assert details.price_change == pytest.approx(expected_change, abs=1e-3)
    manual_sim.advance(600)
    later = [f for f in wire.drain(1.3) if f.command == 17]
    assert later, "statistics are pushed again once the symbol moved"
    wire.request(7, id_list([]))


def test_tick_pages_never_split_a_millisecond(wire: WireClient, manual_sim: ManualSim) -> None:
    eurusd = _symbol_id(manual_sim, "EURUSD")
    now = manual_sim.handle.server.context.clock.now_server_ms()
    start = now - 24 * 3_600_000
    everything = _history(wire, eurusd, start, now, 1_000_000)
    times = everything["time_msc"]
    shared = np.flatnonzero(times[1:] == times[:-1])
    assert len(shared), "the day has ticks sharing a millisecond"
    cut = int(shared[0]) + 1  # max_count ending between two ticks of one millisecond
    page = _history(wire, eurusd, start, now, cut)
    assert len(page) > cut and page["time_msc"][-1] == times[cut - 1]
    assert len(page) == int(np.searchsorted(times, times[cut - 1], side="right"))
    assert np.array_equal(page, everything[: len(page)])
    # the naive pager ("from = last + 1", stop on a short page) now gets every tick
    pages, frm = [], start
    while True:
        got = _history(wire, eurusd, frm, now, 4096)
        pages.append(got)
        if len(got) < 4096:
            break
        frm = int(got["time_msc"][-1]) + 1
    assert np.array_equal(np.concatenate(pages), everything)


def test_day_statistics_build_never_blocks_other_sessions() -> None:
    # 23:30 server time: subscribing to every symbol must fold ~23 hours of ticks per symbol
    # into its session statistics. That work yields to the loop between hours, so another
    # session's ping is answered while the subscriber is still waiting for its answer.
    clock, _ = manual_clock(JULY_UTC_MS + int(10.5 * 3_600_000))
    handle = start_simulator(make_config(), clock=clock)
    subscriber, other = WireClient(handle.url), WireClient(handle.url)
    try:
        assert subscriber.login().code == 0 and other.login().code == 0
        subscriber.drain(0.1)
        other.drain(0.1)
        ids = [spec.symbol_id for spec in handle.server.context.catalog.symbols]
        subscriber.ws.send(subscriber.conn.send_request(7, id_list(ids)))
        time.sleep(0.05)
        assert other.request(51).code == 0
        with pytest.raises(TimeoutError):
            subscriber.ws.recv(0)  # the subscription is still being answered
        assert subscriber.wait_for(7, timeout=60).code == 0
        details = decode_symbol_details(subscriber.take_push(17, timeout=10).body)
        assert {d.symbol_id for d in details} == set(ids)
        assert all(d.bid_high >= d.bid_low > 0 for d in details)
    finally:
        subscriber.close()
        other.close()
        handle.stop()
