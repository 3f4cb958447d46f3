"""Hypothesis strategies derived from the record declarations (full range of each type)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from MetaTrader5.protocol.codec import Field, FieldType, WireRecord, filetime_to_ms

_INT_RANGES = {
    FieldType.I8: (-(2**7), 2**7 - 1),
    FieldType.I16: (-(2**15), 2**15 - 1),
    FieldType.I32: (-(2**31), 2**31 - 1),
    FieldType.U8: (0, 2**8 - 1),
    FieldType.U16: (0, 2**16 - 1),
    FieldType.U32: (0, 2**32 - 1),
    FieldType.I64: (-(2**63), 2**63 - 1),
    FieldType.U64: (0, 2**64 - 1),
}


def _fit(text: str, size: int) -> str:
    while len(text.encode("utf-16-le", "surrogatepass")) > size:
        text = text[:-1]
    return text


def _scalar(kind: FieldType) -> st.SearchStrategy[Any]:
    if kind in _INT_RANGES:
        lo, hi = _INT_RANGES[kind]
        return st.integers(lo, hi)
    if kind is FieldType.F32:
        return st.floats(allow_nan=False, width=32)
    return st.floats(allow_nan=False)


def field_strategy(f: Field) -> st.SearchStrategy[Any]:
    if f.type is FieldType.STR:
        chars = st.characters(blacklist_categories=["Cs"], blacklist_characters="\0")
        return st.text(chars, max_size=f.size // 2).map(lambda s: _fit(s, f.size))
    if f.type in (FieldType.BYTES, FieldType.ASTR):
        return st.binary(min_size=f.size, max_size=f.size)
    if f.type is FieldType.TIME:
        return st.integers(filetime_to_ms(0), filetime_to_ms(2**64 - 1))
    if f.type is FieldType.ARRAY and f.item is not None:
        count = f.size // {FieldType.F64: 8, FieldType.U16: 2}.get(f.item, 4)
        return st.tuples(*[_scalar(f.item)] * count)
    if f.type is FieldType.RECORD and f.record is not None:
        return record_strategy(f.record)
    return _scalar(f.type)


def record_strategy(cls: type[WireRecord]) -> st.SearchStrategy[Any]:
    return st.builds(cls, **{f.name: field_strategy(f) for f in cls.SCHEMA.fields})
