"""Strict mode value-range checks (issue 4): out-of-range values log one WARNING line naming the
record, field, body offset and value; in-range values and the normal mode log nothing.

Strict mode is switched with ``assumptions.set_strict_mode`` (the ``strict`` fixture below);
``MT5WEB_DEBUG=1`` itself is checked in a subprocess, because it is read once at import.
Expected offsets are the spec's field offsets (PROTOCOL.md section named per case) plus the
body's count words.
"""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest

from MetaTrader5.protocol import assumptions, bulk, messages
from MetaTrader5.protocol.codec import WireRecord, u32, wire_record
from MetaTrader5.protocol.exceptions import StringDecodeError
from MetaTrader5.protocol.schemas import (
    Bar,
    BookHeader,
    BookLevel,
    Deal,
    DealTransactionHead,
    FullSymbol,
    HistoryRequest,
    Order,
    OrderTransaction,
    Position,
    RatesRequest,
    SymbolRecord,
    Tick,
    TradeRequest,
    TradeResultPush,
)
from MetaTrader5.protocol.valid import FINITE, between

LOGGER_NAME = "MetaTrader5.protocol"
NAN, INF = math.nan, math.inf


@pytest.fixture
def strict() -> Iterator[None]:
    """Strict mode on for one test, restored afterwards."""
    previous = assumptions.set_strict_mode(True)
    try:
        yield
    finally:
        assumptions.set_strict_mode(previous)


@pytest.fixture
def normal() -> Iterator[None]:
    """Strict mode off for one test, whatever MT5WEB_DEBUG said at import."""
    previous = assumptions.set_strict_mode(False)
    try:
        yield
    finally:
        assumptions.set_strict_mode(previous)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == LOGGER_NAME and r.levelno >= logging.WARNING]


def decode_and_log(caplog: pytest.LogCaptureFixture, decode: Callable[[bytes], Any],
                   body: bytes) -> tuple[Any, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER_NAME):
        result = decode(body)
    return result, warnings(caplog)


def _pos(*positions: Position) -> bytes:
    return messages.encode_positions_orders(positions, [])


def _ord(*orders: Order) -> bytes:
    return messages.encode_positions_orders([], orders)  # 4 + 4 count bytes before the order


def _deal(*deals: Deal) -> bytes:
    return messages.encode_history(deals, [])


def _book(header: BookHeader, *levels: BookLevel) -> bytes:
    return messages.encode_book([messages.BookEntry(header, levels)])


# (case id, body, decoder, "Record.field", body offset, value as logged)
OUT_OF_RANGE: list[tuple[str, bytes, Callable[[bytes], Any], str, int, str]] = [
    # spec 3.6.1 order record, after two u32 counts (8 bytes)
    ("order type", _ord(Order(type=9)), messages.decode_positions_orders, "Order.type", 156, "9"),
    ("order filling", _ord(Order(type_filling=4)), messages.decode_positions_orders,
     "Order.type_filling", 160, "4"),
    ("order type_time", _ord(Order(type_time=4)), messages.decode_positions_orders,
     "Order.type_time", 164, "4"),
    ("order state", _ord(Order(state=10)), messages.decode_positions_orders, "Order.state",
     228, "10"),
    ("order volume", _ord(Order(volume_current=-1)), messages.decode_positions_orders,
     "Order.volume_current", 220, "-1"),
    ("order sl nan", _ord(Order(sl=NAN)), messages.decode_positions_orders, "Order.sl", 196,
     "nan"),
    ("order ms part", _ord(Order(time_done_ms=1000)), messages.decode_positions_orders,
     "Order.time_done_ms", 360, "1000"),
    ("order digits", _ord(Order(digits=17)), messages.decode_positions_orders, "Order.digits",
     320, "17"),
    # spec 3.6.1 position record, after one u32 count
    ("position type", _pos(Position(type=2)), messages.decode_positions_orders,
     "Position.type", 92, "2"),
    ("position price inf", _pos(Position(price_open=INF)), messages.decode_positions_orders,
     "Position.price_open", 96, "inf"),
    ("position volume u64", _pos(Position(volume=2**63)), messages.decode_positions_orders,
     "Position.volume", 128, str(2**63)),
    # spec 3.6.2 deal record, after one u32 count
    ("deal type", _deal(Deal(type=19)), messages.decode_history, "Deal.type", 156, "19"),
    ("deal entry", _deal(Deal(entry=4)), messages.decode_history, "Deal.entry", 160, "4"),
    ("deal price -inf", _deal(Deal(price=-INF)), messages.decode_history, "Deal.price", 164,
     "-inf"),
    # spec 3.5.4: u32 count, 22-byte header, then the level's u8 type at +4
    ("book level type", _book(BookHeader(symbol_id=1), BookLevel(type=5)),
     messages.decode_book, "BookLevel.type", 30, "5"),
    ("book time", _book(BookHeader(books_time=-5)), messages.decode_book,
     "BookHeader.books_time", 8, "-5"),
    # spec 3.7.1 trade request, 4.5 actions
    ("trade action 11", TradeRequest(trade_action=11).encode(), messages.decode_trade_request,
     "TradeRequest.trade_action", 4, "11"),
    ("trade action 99", TradeRequest(trade_action=99).encode(), messages.decode_trade_request,
     "TradeRequest.trade_action", 4, "99"),
    ("trade action 209", TradeRequest(trade_action=209).encode(),
     messages.decode_trade_request, "TradeRequest.trade_action", 4, "209"),
    ("request type", TradeRequest(type=9).encode(), messages.decode_trade_request,
     "TradeRequest.type", 92, "9"),
    ("request digits", TradeRequest(digits=1000).encode(), messages.decode_trade_request,
     "TradeRequest.digits", 80, "1000"),
    # spec 3.7.2: u32 then the request echo; 3.6.3: three u32 then the order / deal
    ("push 19 echo", TradeResultPush(request=TradeRequest(type_time=7)).encode(),
     messages.decode_trade_result, "TradeResultPush.request.type_time", 104, "7"),
    ("push 10 order", OrderTransaction(order=Order(state=12)).encode(),
     messages.decode_trade_update, "OrderTransaction.order.state", 232, "12"),
    ("push 10 deal", messages.encode_trade_update(
        [messages.DealTransaction(DealTransactionHead(flag_mask=2, deal=Deal(type=30)))]),
     messages.decode_trade_update, "DealTransactionHead.deal.type", 164, "30"),
    # spec 3.5.1 ticks (no count): second record starts at 50
    ("tick fields", messages.encode_ticks([Tick(fields=15), Tick(fields=16)]),
     messages.decode_ticks, "Tick.fields", 58, "16"),
    ("tick time", messages.encode_ticks([Tick(time=-1)]), messages.decode_ticks, "Tick.time",
     4, "-1"),
    ("tick bid nan", messages.encode_ticks([Tick(bid=NAN)]), messages.decode_ticks, "Tick.bid",
     12, "nan"),
    ("tick volume", messages.encode_ticks([Tick(volume=-100)]), messages.decode_ticks,
     "Tick.volume", 36, "-100"),
    ("tick ms", messages.encode_ticks([Tick(time_ms=1000)]), messages.decode_ticks,
     "Tick.time_ms", 44, "1000"),
    # spec 3.4.2 / 3.4.3 symbol digits, after one u32 count
    ("symbol digits", messages.encode_symbols([SymbolRecord(digits=17)]),
     messages.decode_symbols, "SymbolRecord.digits", 196, "17"),
    ("full symbol digits", messages.encode_full_symbols([FullSymbol(digits=99)]),
     messages.decode_full_symbols, "FullSymbol.digits", 1396, "99"),
    # spec 3.5.3 bars and request, 3.6.2 history request
    ("bar close", messages.encode_bars([Bar(close=INF)]), messages.decode_bars, "Bar.close",
     28, "inf"),
    ("bar time", messages.encode_bars([Bar(), Bar(time=-60)]), messages.decode_bars,
     "Bar.time", 48, "-60"),
    ("rates to", RatesRequest(time_to=-1).encode(), messages.decode_rates_request,
     "RatesRequest.time_to", 70, "-1"),
    ("history from", HistoryRequest(time_from=-1).encode(), messages.decode_history_request,
     "HistoryRequest.time_from", 0, "-1"),
]

IN_RANGE: list[tuple[str, bytes, Callable[[bytes], Any]]] = [
    ("order bounds", _ord(Order(type=8, type_filling=3, type_time=3, state=9, digits=16,
                                time_setup_ms=999, volume_initial=2**63 - 1, sl=-1e300)),
     messages.decode_positions_orders),
    ("order zeros", _ord(Order()), messages.decode_positions_orders),
    ("position bounds", _pos(Position(type=1, volume=2**63 - 1, price_open=-5.0)),
     messages.decode_positions_orders),
    ("deal bounds", _deal(Deal(type=18, entry=3, volume=2**63 - 1)), messages.decode_history),
    ("book bounds", _book(BookHeader(books_time=2**31 - 1), BookLevel(type=4, volume=-5),
                          BookLevel(type=0)), messages.decode_book),
    ("ticks", messages.encode_ticks([Tick(fields=15, time_ms=999, time=2**31 - 1),
                                     Tick(fields=0, bid=1e308)]), messages.decode_ticks),
    ("full symbol", messages.encode_full_symbols([FullSymbol(digits=16, ticks_chart_mode=255)]),
     messages.decode_full_symbols),
]
IN_RANGE += [
    (f"action {a}", TradeRequest(trade_action=a, type=8, digits=16).encode(),
     messages.decode_trade_request)
    for a in (0, 10, 100, 106, 200, 208)
]


@pytest.mark.parametrize(("body", "decode", "name", "offset", "value"),
                         [c[1:] for c in OUT_OF_RANGE], ids=[c[0] for c in OUT_OF_RANGE])
def test_out_of_range_logs_one_line(strict: None, caplog: pytest.LogCaptureFixture,
                                    body: bytes, decode: Callable[[bytes], Any], name: str,
                                    offset: int, value: str) -> None:
    _, lines = decode_and_log(caplog, decode, body)
    assert len(lines) == 1, lines
    assert f"{name} = {value} at offset {offset}," in lines[0]
    assert "expected" in lines[0]


@pytest.mark.parametrize(("body", "decode"), [c[1:] for c in IN_RANGE],
                         ids=[c[0] for c in IN_RANGE])
def test_in_range_logs_nothing(strict: None, caplog: pytest.LogCaptureFixture, body: bytes,
                               decode: Callable[[bytes], Any]) -> None:
    _, lines = decode_and_log(caplog, decode, body)
    assert lines == []


@pytest.mark.parametrize(("body", "decode"), [c[1:3] for c in OUT_OF_RANGE],
                         ids=[c[0] for c in OUT_OF_RANGE])
def test_normal_mode_logs_nothing_and_decodes_the_same(
        normal: None, caplog: pytest.LogCaptureFixture, body: bytes,
        decode: Callable[[bytes], Any]) -> None:
    plain, lines = decode_and_log(caplog, decode, body)
    assert lines == []
    assumptions.set_strict_mode(True)  # the fixture restores the previous setting
    checked, strict_lines = decode_and_log(caplog, decode, body)
    assert len(strict_lines) == 1
    # strict mode reports, never changes or rejects the value
    assert repr(checked) == repr(plain)


def test_every_violation_in_a_record_gets_its_own_line(
        strict: None, caplog: pytest.LogCaptureFixture) -> None:
    body = _ord(Order(type=9, state=10, tp=NAN))
    orders = messages.decode_positions_orders(body).orders
    _, lines = decode_and_log(caplog, messages.decode_positions_orders, body)
    assert [line.split(" = ")[0] for line in lines] == [
        "strict: Order.type", "strict: Order.tp", "strict: Order.state"]
    assert orders[0].type == 9 and orders[0].state == 10 and math.isnan(orders[0].tp)


def test_record_decode_reports_offset_of_the_record(strict: None,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    body = bytes(100) + Tick(fields=0x30).encode()
    tick, lines = decode_and_log(caplog, lambda b: Tick.decode(b, 100), body)
    assert tick.fields == 0x30
    assert lines == ["strict: Tick.fields = 48 at offset 108, expected only bits of 0xf"]


def test_short_trade_request_checks_the_zero_filled_record(
        strict: None, caplog: pytest.LogCaptureFixture) -> None:
    body = TradeRequest(trade_action=150).encode()[:236]  # legacy 236-byte client, spec 6.3
    request, lines = decode_and_log(caplog, messages.decode_trade_request, body)
    assert request.trade_action == 150
    assert sum("TradeRequest.trade_action = 150 at offset 4," in line for line in lines) == 1


# --- bulk (numpy) decoding ----------------------------------------------------------------------

def test_bulk_ticks_log_one_line_per_field_with_first_bad_row(
        strict: None, caplog: pytest.LogCaptureFixture) -> None:
    ticks = [Tick(fields=3), Tick(fields=32), Tick(fields=1), Tick(fields=64, ask=INF)]
    array, lines = decode_and_log(caplog, bulk.decode_ticks, messages.encode_ticks(ticks))
    assert list(array["fields"]) == [3, 32, 1, 64]
    assert lines == [
        "strict: push 8 ticks: Tick.fields = 32 at offset 58, expected only bits of 0xf "
        "(2 of 4 records)",
        "strict: push 8 ticks: Tick.ask = inf at offset 170, expected a finite number "
        "(1 of 4 records)",
    ]


def test_bulk_counted_arrays_use_body_offsets(strict: None,
                                              caplog: pytest.LogCaptureFixture) -> None:
    body = messages.encode_history([Deal(), Deal(entry=7)], [Order(type_filling=9)])
    _, lines = decode_and_log(caplog, bulk.decode_history_arrays, body)
    # deals: count at 0, second deal at 4 + 356, entry at +156; orders: count after the deals
    orders_start = 4 + 2 * 356 + 4
    assert lines == [
        f"strict: cmd 5 deals: Deal.entry = 7 at offset {4 + 356 + 156}, expected 0..3 "
        "(1 of 2 records)",
        f"strict: cmd 5 orders: Order.type_filling = 9 at offset {orders_start + 152}, "
        "expected 0..3 (1 of 1 records)",
    ]


def test_bulk_in_range_and_normal_mode_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    good = messages.encode_bars([Bar(time=60, open=1.0, close=2.0)] * 3)
    bad = messages.encode_bars([Bar(time=-1, high=NAN)] * 3)
    previous = assumptions.set_strict_mode(True)
    try:
        assert decode_and_log(caplog, bulk.decode_bars, good)[1] == []
        assumptions.set_strict_mode(False)
        array, lines = decode_and_log(caplog, bulk.decode_bars, bad)
    finally:
        assumptions.set_strict_mode(previous)
    assert lines == []
    assert list(array["time"]) == [-1, -1, -1]


# --- the switch and the declarations ------------------------------------------------------------

def test_set_strict_mode_switches_every_strict_behaviour(caplog: pytest.LogCaptureFixture) -> None:
    lone_surrogate = messages.encode_symbol_groups(["x"])[:4] + b"\x00\xd8" + bytes(254)
    previous = assumptions.set_strict_mode(True)
    try:
        assert assumptions.set_strict_mode(True) is True
        with pytest.raises(StringDecodeError):  # strict UTF-16 (spec 2.1) follows the switch
            messages.decode_symbol_groups(lone_surrogate)
        assert assumptions.set_strict_mode(False) is True
        assert messages.decode_symbol_groups(lone_surrogate) == ("\ufffd",)
    finally:
        assumptions.set_strict_mode(previous)


@pytest.mark.parametrize(("env", "logged"), [("1", True), ("0", False)])
def test_environment_variable_enables_strict_mode(env: str, logged: bool) -> None:
    script = (
        "import logging; logging.basicConfig(format='%(name)s %(levelname)s %(message)s')\n"
        "from MetaTrader5.protocol import messages\n"
        "from MetaTrader5.protocol.schemas import Tick\n"
        "messages.decode_ticks(messages.encode_ticks([Tick(fields=16)]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "MT5WEB_DEBUG": env}, check=True)
    line = "MetaTrader5.protocol WARNING strict: Tick.fields = 16 at offset 8"
    assert (line in proc.stderr) is logged, proc.stderr


def test_valid_table_must_name_real_fields() -> None:
    with pytest.raises(TypeError, match="unknown fields"):
        @wire_record
        @dataclass(frozen=True, slots=True)
        class Typo(WireRecord):
            VALID: ClassVar[dict[str, Any]] = {"kind": between(0, 3)}
            type: int = u32()


def test_domain_must_fit_the_wire_type() -> None:
    with pytest.raises(TypeError, match="does not fit"):
        @wire_record
        @dataclass(frozen=True, slots=True)
        class Mismatch(WireRecord):
            VALID: ClassVar[dict[str, Any]] = {"type": FINITE}
            type: int = u32()


def test_rejects_matches_accepts_on_every_domain() -> None:
    from MetaTrader5.protocol.schemas import domains

    values = np.array([-(2**31), -1, 0, 1, 3, 8, 9, 15, 16, 18, 19, 106, 107, 208, 255, 999,
                       1000, 2**31 - 1], np.int64)
    for name in domains.__all__:
        domain = getattr(domains, name)
        if callable(domain) or domain.finite:
            continue
        expected = [not domain.accepts(int(v)) for v in values]
        assert list(domain.rejects(values)) == expected, name
    floats = np.array([0.0, -1e308, NAN, INF, -INF])
    assert list(FINITE.rejects(floats)) == [not FINITE.accepts(float(v)) for v in floats]
    assert [FINITE.accepts(float(v)) for v in floats] == [True, True, False, False, False]


def test_log_line_names_the_allowed_values(strict: None,
                                           caplog: pytest.LogCaptureFixture) -> None:
    body = TradeRequest(trade_action=99).encode()
    _, lines = decode_and_log(caplog, messages.decode_trade_request, body)
    assert lines == ["strict: TradeRequest.trade_action = 99 at offset 4, expected one of "
                     "0..10, 100..106, 200..208"]  # spec 4.5
