"""Server time zone on the wire (spec 4.3): account shift/DST fields, bar, tick and deal times."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from simwire import JULY_UTC_MS, WireClient, id_list, make_config, manual_clock, trade_request

from MetaTrader5 import constants as c
from MetaTrader5.protocol import bulk
from MetaTrader5.protocol.messages.account import decode_account
from MetaTrader5.protocol.messages.market import encode_rates_request
from MetaTrader5.protocol.messages.trading import decode_history, decode_trade_result
from MetaTrader5.protocol.schemas.market import RatesRequest
from MetaTrader5.server import start_simulator
from MetaTrader5.server.clock import ServerTimezone, us_dst_bounds

#: 2026-01-14 10:00:00 UTC, a Wednesday in US standard time (server = UTC+2).
JANUARY_UTC_MS = 1_768_384_800_000


@pytest.mark.parametrize(
    ("utc_ms", "zone", "shift", "dst"),
    [
        (JULY_UTC_MS, ServerTimezone(2, True), 7200, 1),
        (JANUARY_UTC_MS, ServerTimezone(2, True), 7200, 0),
        (JULY_UTC_MS, ServerTimezone(-5, False), -18000, 0),
        (JULY_UTC_MS, ServerTimezone(0, False), 0, 0),
    ],
)
def test_times_follow_the_server_zone(
    utc_ms: int, zone: ServerTimezone, shift: int, dst: int
) -> None:
    utc_ms += 45_000  # mid-minute, so the forming M1 bar has ticks
    clock, _ = manual_clock(utc_ms, zone)
    offset_s = shift + 3600 * dst
    server_now = utc_ms // 1000 + offset_s
    with start_simulator(make_config(), clock=clock) as handle:
        wire = WireClient(handle.url)
        try:
            assert wire.login().code == 0
            header = decode_account(wire.request(3).body).header
            assert (header.timezone_shift, header.daylight_mode) == (shift, dst)

            # bars: the newest M1 bar is the current server minute (or the one before it)
            request = RatesRequest("EURUSD", c.TIMEFRAME_M1, server_now - 600, server_now)
            bars = bulk.decode_bars(wire.request(11, encode_rates_request(request)).body)
            assert server_now - 120 < bars["time"][-1] <= server_now
            assert bars["time"][-1] % 60 == 0
            # D1 bars open at server midnight
            request = RatesRequest("EURUSD", c.TIMEFRAME_D1, server_now - 10 * 86_400, server_now)
            days = bulk.decode_bars(wire.request(11, encode_rates_request(request)).body)
            assert np.all(days["time"] % 86_400 == 0)
            assert days["time"][-1] == server_now // 86_400 * 86_400

            # ticks: the current quote carries server time
            spec = handle.server.context.catalog.by_name("EURUSD")
            assert spec is not None
            wire.request(7, id_list([spec.symbol_id]))
            tick = bulk.decode_ticks(wire.take_push(8).body)
            assert server_now - 600 <= tick["time"][0] <= server_now

            # deals: executed "now" in server time
            payload = trade_request(action_id=9, trade_action=1, trade_symbol="EURUSD",
                                    volume=1_000_000, digits=5, type=0)
            assert struct.unpack("<I", bytes(wire.request(12, payload).body))[0] == 0
            result = decode_trade_result(wire.take_push(19).body).result
            assert result.time == server_now
            history = decode_history(
                wire.request(5, struct.pack("<ii", server_now - 60, server_now)).body
            )
            assert [d.time_create for d in history.deals if d.order == result.order] == [
                server_now
            ]
            # a range that ends before the deal does not contain it
            earlier = decode_history(
                wire.request(5, struct.pack("<ii", server_now - 7200, server_now - 3600)).body
            )
            assert all(d.order != result.order for d in earlier.deals)
        finally:
            wire.close()


def test_dst_switch_resends_the_account_block() -> None:
    switch_s = us_dst_bounds(2026)[0]
    clock, source = manual_clock((switch_s - 30) * 1000)
    with start_simulator(make_config(), clock=clock) as handle:
        wire = WireClient(handle.url)
        try:
            assert wire.login().code == 0
            before = decode_account(wire.request(3).body).header
            assert (before.timezone_shift, before.daylight_mode) == (7200, 0)
            source.advance(60)
            update = decode_account(wire.take_push(14, timeout=3).body).header
            assert (update.timezone_shift, update.daylight_mode) == (7200, 1)
        finally:
            wire.close()
