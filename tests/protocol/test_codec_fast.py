"""The compiled record codec (``_compiled.py``) against the generic ``Schema`` path and an
independent field-by-field ``struct`` reference written here from spec 2.1/2.2.

Decoding is compared on arbitrary bytes (valid records with patched slices: string
terminators, lone surrogates, garbage after the terminator), so NaN payloads, odd FILETIMEs
and broken UTF-16 are covered; floats are compared by their bit patterns.
"""

from __future__ import annotations

import codecs
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol_strategies import record_strategy

from MetaTrader5.protocol import assumptions, codec, extension, messages
from MetaTrader5.protocol.codec import Field, FieldType, Reader, WireRecord, wire_record
from MetaTrader5.protocol.exceptions import EncodeError, StringDecodeError
from MetaTrader5.protocol.schemas import (
    ALL_RECORDS,
    Deal,
    Order,
    OrderTransaction,
    Tick,
    TradeRequest,
    TradeSettings,
)

RECORDS = (*ALL_RECORDS, extension.ExtensionHello, extension.TickHistoryRequest,
           extension.ExtTick)  # fmt: skip
SMALL = settings(max_examples=30, deadline=None)

# --- independent reference (spec 2.1 types, spec 2.2 nesting) ---------------------------------
_FMT = {FieldType.I8: "b", FieldType.I16: "h", FieldType.I32: "i", FieldType.U8: "B",
        FieldType.U16: "H", FieldType.U32: "I", FieldType.F32: "f", FieldType.F64: "d",
        FieldType.TIME: "Q", FieldType.I64: "q", FieldType.U64: "Q"}  # fmt: skip
_FILETIME_1970_MS = 11_644_473_600_000


def _ref_string(raw: bytes) -> str:
    """str[N]: UTF-16LE up to the first aligned 0x0000 unit, bad units replaced (spec 2.1)."""
    units = [raw[i : i + 2] for i in range(0, len(raw) - 1, 2)]
    end = units.index(b"\x00\x00") if b"\x00\x00" in units else len(units)
    return codecs.decode(b"".join(units[:end]), "utf-16-le", "replace")


def _ref_field(f: Field, raw: bytes) -> Any:
    if f.type in _FMT:
        (value,) = struct.unpack("<" + _FMT[f.type], raw)
        return value // 10_000 - _FILETIME_1970_MS if f.type is FieldType.TIME else value
    if f.type is FieldType.STR:
        return _ref_string(raw)
    if f.type is FieldType.ARRAY and f.item is not None:
        return tuple(x for (x,) in struct.iter_unpack("<" + _FMT[f.item], raw))
    if f.type is FieldType.RECORD and f.record is not None:
        return _ref_decode(f.record, raw)
    return raw


def _ref_decode(cls: type[WireRecord], data: bytes) -> Any:
    values, pos = {}, 0
    for f in cls.SCHEMA.fields:
        size = f.byte_size
        values[f.name] = _ref_field(f, data[pos : pos + size])
        pos += size
    return cls(**values)


def _ref_encode_field(f: Field, value: Any) -> bytes:
    if f.type in _FMT:
        if f.type is FieldType.TIME:
            value = (value + _FILETIME_1970_MS) * 10_000
        return struct.pack("<" + _FMT[f.type], value)
    if f.type is FieldType.STR:
        return codec.encode_utf16(value, f.size).ljust(f.size, b"\x00")
    if f.type is FieldType.ARRAY and f.item is not None:
        return b"".join(struct.pack("<" + _FMT[f.item], x) for x in value)
    if f.type is FieldType.RECORD and f.schema is not None:
        return b"".join(_ref_encode_field(g, getattr(value, g.name)) for g in f.schema.fields)
    return bytes(value).ljust(f.size, b"\x00")


def _ref_encode(rec: WireRecord) -> bytes:
    return b"".join(_ref_encode_field(f, getattr(rec, f.name)) for f in rec.SCHEMA.fields)


def _canon(value: Any) -> Any:
    """Comparable form: floats by bit pattern (NaN payloads included), records by type+fields."""
    if isinstance(value, float):
        return ("f", struct.pack("<d", value))
    if isinstance(value, tuple):
        return tuple(_canon(v) for v in value)
    if isinstance(value, WireRecord):
        return (type(value).__name__,
                tuple(_canon(getattr(value, n)) for n in value.SCHEMA.names))  # fmt: skip
    return (type(value).__name__, value)


# --- strategies -------------------------------------------------------------------------------
_UNITS = st.sampled_from([b"\x00\x00", b"\x00\xd8", b"\xff\xdb", b"\x00\xdc", b"A\x00",
                          b"\xe9\x00", b"\x3d\xd8\x00\xde", b"\x00"])  # fmt: skip


@st.composite
def wire_bytes(draw: st.DrawFn, cls: type[WireRecord]) -> bytes:
    """A valid encoding of ``cls`` with a few slices overwritten by arbitrary/odd units."""
    data = bytearray(draw(record_strategy(cls)).encode())
    patches = st.tuples(st.integers(0, cls.SIZE - 1), st.one_of(st.binary(max_size=9), _UNITS))
    for pos, chunk in draw(st.lists(patches, max_size=6)):
        data[pos : pos + len(chunk)] = chunk
    return bytes(data[: cls.SIZE])


@pytest.fixture
def lenient() -> Iterator[None]:
    previous = assumptions.set_strict_mode(False)
    try:
        yield
    finally:
        assumptions.set_strict_mode(previous)


# --- decode -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_decode_matches_generic_and_reference(cls: type[WireRecord], lenient: None) -> None:
    @SMALL
    @given(wire_bytes(cls), st.binary(max_size=5))
    def check(data: bytes, prefix: bytes) -> None:
        fast = cls.decode(prefix + data, len(prefix))
        assert type(fast) is cls
        generic = cls.SCHEMA.decode_values(data, 0, cls)
        assert _canon(fast) == _canon(generic) == _canon(_ref_decode(cls, data))
        assert _canon(cls.decode(memoryview(data))) == _canon(fast)

    check()


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_encode_matches_generic_and_reference(cls: type[WireRecord]) -> None:
    @SMALL
    @given(record_strategy(cls))
    def check(rec: Any) -> None:
        data = rec.encode()
        assert data == cls.SCHEMA.encode(rec) == _ref_encode(rec)
        assert cls.decode(data) == rec

    check()


def test_reader_records_take_the_same_values(lenient: None) -> None:
    deals = [Deal(ticket=i, trade_symbol=f"S{i}", comment="x" * i, price=i / 3) for i in range(4)]
    body = messages.encode_history(deals, [Order(ticket=9, price_order=math.nan)])
    history = messages.decode_history(body)
    assert history.deals == tuple(deals)
    assert _canon(history.orders) == _canon((Order(ticket=9, price_order=math.nan),))
    r = Reader(body, "test")
    assert r.counted(Deal, "deals") == tuple(deals)
    assert r.scalar("I", "orders") == 1
    assert r.record(Order).ticket == 9 and r.remaining == 0


def test_short_record_still_zero_filled(lenient: None) -> None:
    full = TradeRequest(action_id=7, trade_symbol="EURUSD", volume=10**6, comment="c").encode()
    short = TradeRequest.decode(full[:236])  # spec 3.7.1: 236-byte clients
    assert short == TradeRequest.SCHEMA.decode_values(full[:236], 0, TradeRequest)
    assert short.action_id == 7 and short.comment == "c"


# --- string modes -------------------------------------------------------------------------------
_SYMBOL_AT = sum(f.byte_size for f in Deal.SCHEMA.fields[: Deal.SCHEMA.names.index("trade_symbol")])


def _deal_with_symbol(raw: bytes) -> bytes:
    deal = Deal(ticket=3).encode()
    return deal[:_SYMBOL_AT] + raw + deal[_SYMBOL_AT + len(raw) :]


_GARBAGE_AFTER_END = _deal_with_symbol("EURUSD".encode("utf-16-le") + b"\x00\x00"
                                       + b"\x00\xd8" * 28)  # fmt: skip
_LONE_SURROGATE = _deal_with_symbol(b"A\x00\x00\xd8" + bytes(60))


def test_strict_mode_ignores_bytes_after_the_terminator() -> None:
    previous = assumptions.set_strict_mode(True)
    try:
        assert Deal.decode(_GARBAGE_AFTER_END).trade_symbol == "EURUSD"
        with pytest.raises(StringDecodeError, match=r"Deal\.trade_symbol"):
            Deal.decode(_LONE_SURROGATE)
    finally:
        assumptions.set_strict_mode(previous)


def test_lenient_mode_replaces_bad_units(lenient: None) -> None:
    assert Deal.decode(_GARBAGE_AFTER_END).trade_symbol == "EURUSD"
    assert Deal.decode(_LONE_SURROGATE).trade_symbol == "A\ufffd"


def test_strict_strings_without_strict_mode(lenient: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "STRING_DECODE_ERRORS", "strict")
    assert Deal.decode(_GARBAGE_AFTER_END).trade_symbol == "EURUSD"
    with pytest.raises(StringDecodeError, match=r"Deal\.trade_symbol"):
        Deal.decode(_LONE_SURROGATE)


# --- encode errors and odd classes ----------------------------------------------------------------
def test_encode_errors_name_the_field() -> None:
    with pytest.raises(EncodeError, match=r"Order\.ticket"):
        Order(ticket=2**63).encode()
    with pytest.raises(EncodeError, match=r"TradeSettings\.margin_rates_initial"):
        TradeSettings(margin_rates_initial=(1.0,)).encode()  # 8 x f64 expected
    with pytest.raises(EncodeError, match=r"Order\.time_setup_ms"):
        OrderTransaction(order=Order(time_setup_ms=2**31)).encode()


def test_plain_subclass_decodes_to_itself(lenient: None) -> None:
    class Sub(Tick):
        pass

    data = Tick(time=5, bid=1.5).encode()
    value = Sub.decode(data)
    assert type(value) is Sub and value == Sub(time=5, bid=1.5)
    assert value.encode() == data


@wire_record
@dataclass(frozen=True)
class _Checked(WireRecord):
    """Not slotted, with a ``__post_init__``: built through ``__init__``."""

    when: int = codec.time()
    label: str = codec.string(6)
    tag: bytes = codec.astr(3)

    def __post_init__(self) -> None:
        if self.tag == b"bad":
            raise ValueError("tag")


def test_records_with_post_init_go_through_init(lenient: None) -> None:
    rec = _Checked(when=1_700_000_000_123, label="abc", tag=b"ok\x00")
    data = rec.encode()
    assert data == _ref_encode(rec) and _Checked.decode(data) == rec
    with pytest.raises(ValueError, match="tag"):
        _Checked.decode(data[:-3] + b"bad")
