"""Hypothesis round trips: every record and every composite message, full type ranges."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol_strategies import record_strategy

from MetaTrader5.protocol import bulk, extension, messages
from MetaTrader5.protocol.codec import WireRecord
from MetaTrader5.protocol.schemas import (
    ALL_RECORDS,
    AccountHeader,
    Bar,
    BookHeader,
    BookLevel,
    Commission,
    CommissionTier,
    CorporateLink,
    Deal,
    DealTransactionHead,
    DocumentHeader,
    KycBlock,
    LeverageRule,
    LeverageTier,
    OpeningForm,
    Order,
    OrderTransaction,
    Position,
    SpreadHead,
    SpreadLeg,
    SymbolRecord,
    TradeSettings,
)
from MetaTrader5.protocol.values import lots_to_wire, wire_to_lots

SMALL = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize("cls", ALL_RECORDS, ids=lambda c: c.__name__)
def test_record_roundtrip(cls: type[WireRecord]) -> None:
    @SMALL
    @given(record_strategy(cls))
    def check(rec: Any) -> None:
        data = rec.encode()
        assert len(data) == cls.SIZE
        assert cls.decode(data) == rec
        as_dict = cls.SCHEMA.decode(data)
        assert cls.SCHEMA.encode(as_dict) == data
        arr = np.frombuffer(data, cls.SCHEMA.dtype)
        assert arr.dtype.itemsize == cls.SIZE

    check()


def _lists(cls: type[WireRecord], n: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(record_strategy(cls), max_size=n).map(tuple)


@SMALL
@given(
    header=record_strategy(AccountHeader),
    settings_=st.lists(record_strategy(TradeSettings), min_size=1, max_size=2).map(tuple),
    flags=st.integers(-(2**31), 2**31 - 1),
    count=st.integers(-(2**31), 2**31 - 1),
    lev_flags=st.integers(0, 2**64 - 1),
    rules=st.lists(st.tuples(record_strategy(LeverageRule), _lists(LeverageTier)), max_size=2),
    coms=st.lists(st.tuples(record_strategy(Commission), _lists(CommissionTier)), max_size=2),
)
def test_account_roundtrip(header: Any, settings_: Any, flags: int, count: int, lev_flags: int,
                           rules: Any, coms: Any) -> None:
    info = messages.AccountInfo(
        header, settings_, flags, count, lev_flags,
        tuple(messages.LeverageRuleSet(dataclasses.replace(r, tier_count=len(t)), t)
              for r, t in rules),
        tuple(messages.CommissionSet(c, t) for c, t in coms),
    )
    assert messages.decode_account(messages.encode_account(info)) == info


def test_account_empty_settings_quirk() -> None:
    info = messages.AccountInfo(AccountHeader(balance=5.0), (), 7, 300, 9)
    decoded = messages.decode_account(messages.encode_account(info))
    assert decoded.trade_settings[0].symbol_path == "*"  # encoder inserted the neutral entry
    assert (decoded.trade_flags, decoded.symbols_count, decoded.leverage_flags) == (7, 300, 9)
    # A JS-style body with count 0: trade_flags is read from the count bytes (spec 3.3 quirk).
    raw = AccountHeader().encode() + bytes(4) + (300).to_bytes(4, "little")
    quirky = messages.decode_account(raw)
    assert (quirky.trade_settings, quirky.trade_flags, quirky.symbols_count) == ((), 0, 300)


@SMALL
@given(_lists(Position), _lists(Order), _lists(Deal))
def test_positions_history_roundtrip(positions: Any, orders: Any, deals: Any) -> None:
    body = messages.encode_positions_orders(positions, orders)
    assert messages.decode_positions_orders(body) == messages.PositionsAndOrders(positions, orders)
    arrays = bulk.decode_positions_orders_arrays(body)
    assert len(arrays[0]) == len(positions) and len(arrays[1]) == len(orders)
    if positions:
        names = bulk.decode_utf16_column(arrays[0]["trade_symbol"])
        assert list(names) == [p.trade_symbol for p in positions]
    hist = messages.encode_history(deals, orders)
    assert messages.decode_history(hist) == messages.DealsAndOrders(deals, orders)
    d_arr, _o_arr = bulk.decode_history_arrays(hist)
    assert list(d_arr["ticket"]) == [d.ticket for d in deals]


@SMALL
@given(st.lists(st.tuples(record_strategy(BookHeader), _lists(BookLevel)), max_size=3))
def test_book_roundtrip(entries: Any) -> None:
    items = [messages.BookEntry(dataclasses.replace(h, level_count=len(lv)), lv)
             for h, lv in entries]
    decoded = messages.decode_book(messages.encode_book(items))
    assert decoded == (tuple(items) if items else ())


@SMALL
@given(st.lists(st.tuples(record_strategy(SpreadHead), _lists(SpreadLeg, 2),
                          _lists(SpreadLeg, 2)), max_size=3), st.integers(0, 2**32 - 1))
def test_spreads_roundtrip(entries: Any, reserved: int) -> None:
    items = tuple(messages.SpreadEntry(h, a, b) if h.spread_id else messages.SpreadEntry(h)
                  for h, a, b in entries)
    block = messages.SpreadBlock(items, reserved)
    assert messages.decode_spreads(messages.encode_spreads([block, block])) == (block, block)


@SMALL
@given(_lists(OrderTransaction), st.lists(st.tuples(record_strategy(DealTransactionHead),
                                                     _lists(Deal, 2), _lists(Position, 2)),
                                           max_size=2))
def test_trade_update_roundtrip(orders: Any, deals: Any) -> None:
    orders = tuple(dataclasses.replace(o, flag_mask=0 if o.flag_mask == 2 else o.flag_mask)
                   for o in orders)
    assert messages.decode_trade_update(messages.encode_trade_update(orders)) == orders
    recs = tuple(messages.DealTransaction(dataclasses.replace(h, flag_mask=2), d, p)
                 for h, d, p in deals)
    assert messages.decode_trade_update(messages.encode_trade_update(recs)) == recs


@SMALL
@given(_lists(SymbolRecord), st.lists(st.text(max_size=20), max_size=4))
def test_symbols_roundtrip(symbols: Any, groups: list[str]) -> None:
    assert messages.decode_symbols(messages.encode_symbols(symbols)) == symbols
    compressed = messages.encode_symbols_compressed(symbols)
    assert messages.decode_symbols_compressed(compressed) == symbols
    arr = bulk.decode_symbols_array(messages.encode_symbols(symbols))
    assert list(arr["symbol_id"]) == [s.symbol_id for s in symbols]
    clean = [g.replace("\0", "").encode("utf-16-le", "surrogatepass")[:512]
             .decode("utf-16-le", "replace") for g in groups]
    assert messages.decode_symbol_groups(messages.encode_symbol_groups(clean)) == tuple(clean)


@SMALL
@given(record_strategy(OpeningForm), record_strategy(KycBlock),
       st.lists(st.tuples(record_strategy(DocumentHeader), st.binary(max_size=40),
                          st.binary(max_size=40)), max_size=2))
def test_open_real_roundtrip(form: Any, kyc: Any, docs: Any) -> None:
    items = tuple(messages.Document(dataclasses.replace(h, front_size=len(f), back_size=len(b)),
                                    f, b) for h, f, b in docs)
    req = messages.OpenRealRequest(form, kyc, items)
    assert messages.decode_open_real_request(messages.encode_open_real_request(req)) == req


@SMALL
@given(_lists(CorporateLink), st.lists(st.integers(0, 2**32 - 1), max_size=50))
def test_links_and_id_lists(links: Any, ids: list[int]) -> None:
    assert messages.decode_corporate_links(messages.encode_corporate_links(links)) == links
    assert messages.decode_id_list(messages.encode_id_list(ids)) == tuple(ids)


@SMALL
@given(_lists(Bar, 20))
def test_bulk_bars(bars: Any) -> None:
    body = messages.encode_bars(bars)
    arr = bulk.decode_bars(body)
    assert bulk.encode_bars(arr) == body
    assert messages.decode_bars(body) == bars


@given(st.integers(0, 10**12))
def test_volume_conversions(wire: int) -> None:
    assert lots_to_wire(wire_to_lots(wire)) == wire


@pytest.mark.parametrize(("lots", "wire"), [(0.1, 10_000_000), (0.01, 1_000_000),
                                            (1.0, 100_000_000), (0.07, 7_000_000),
                                            (123.45678901, 12_345_678_901)])
def test_lots_to_wire_exact(lots: float, wire: int) -> None:
    assert lots_to_wire(lots) == wire


def test_extension_tick_history_roundtrip() -> None:
    ticks = np.zeros(3, extension.EXT_TICK_DTYPE)
    ticks["time_msc"] = [1_700_000_000_123, 1_700_000_000_456, 1_700_000_001_000]
    ticks["bid"], ticks["ask"], ticks["flags"] = [1.1, 1.2, 1.3], [1.2, 1.3, 1.4], 6
    ticks["volume"], ticks["volume_real"] = 250_000_000, 2.5
    decoded = extension.decode_tick_history(extension.encode_tick_history(ticks))
    assert decoded.tobytes() == ticks.tobytes()
    official = extension.ext_ticks_to_official(decoded)
    assert list(official["time"]) == [1_700_000_000, 1_700_000_000, 1_700_000_001]
    assert list(official["volume"]) == [2, 2, 2] and official["flags"][0] == 6
