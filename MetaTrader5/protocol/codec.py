"""Field types (spec 2.1), records and schemas (spec 2.2), declared once, used three ways.

A record layout is declared ONCE, as a frozen dataclass whose fields carry their wire type::

    @wire_record
    @dataclass(frozen=True, slots=True)
    class Bar(WireRecord):
        time: int = i32()
        open: float = f64()

``wire_record`` derives a :class:`Schema` (``Bar.SCHEMA``) from that declaration. The schema
drives ``encode(mapping)``/``decode(buf, offset) -> dict``, the typed ``Bar.decode``/
``bar.encode()``, and a packed little-endian numpy dtype for bulk decoding (``bulk.py``).

Python values: integers for i8..u64, float for f32/f64, Unix milliseconds (int) for ``time``
(FILETIME on the wire), ``str`` for str[N], ``bytes`` for astr[N]/bytes[N], tuples for the
"N x type" sub-parsed byte fields, and nested records for the bytes[N] fields with a
sub-parser (spec 2.2).

A record may also declare ``VALID``, a field name -> allowed values table (``valid.py``); the
schema compiles it into checks that run in strict mode only (``assumptions.DEBUG``).

Strings in numpy: a str[N] column is kept as ``('<u2', (N/2,))`` code units, because numpy has
no UTF-16 dtype; ``bulk.decode_utf16_column`` turns such a column into ``<U`` strings
vectorised (code units equal code points outside the surrogate range; rows with surrogates
fall back to Python decoding).
"""

from __future__ import annotations

import builtins
import codecs
import dataclasses
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from operator import attrgetter
from typing import Any, ClassVar, Self, TypeVar, cast

import numpy as np

from .assumptions import DEBUG, LOGGER, STRING_DECODE_ERRORS
from .exceptions import EncodeError, StringDecodeError, TruncatedRecordError
from .valid import Check, Valid, check_record

__all__ = [
    "Buffer", "FieldType", "Field", "Schema", "WireRecord", "wire_record",
    "wire_record_zero_filled", "Reader", "encode_counted", "filetime_to_ms", "ms_to_filetime",
    "decode_utf16", "encode_utf16",
    "i8", "i16", "i32", "u8", "u16", "u32", "f32", "f64", "i64", "u64",
    "time", "astr", "string", "raw", "array", "nested",
]  # fmt: skip

Buffer = bytes | bytearray | memoryview
R = TypeVar("R", bound="WireRecord")

#: spec 2.1: FILETIME epoch offset in milliseconds (1601-01-01 -> 1970-01-01).
_EPOCH_DELTA_MS = 11_644_473_600_000
#: what str.encode/bytes.decode("utf-16-le") run, without the per-call codec lookup (~4x).
_utf16_encode, _utf16_decode = codecs.utf_16_le_encode, codecs.utf_16_le_decode


class FieldType(IntEnum):
    """Wire type codes of spec 2.1 (ARRAY and RECORD are bytes[N] with a sub-parser)."""

    I8 = 1
    I16 = 2
    I32 = 3
    U8 = 4
    U16 = 5
    U32 = 6
    F32 = 7
    F64 = 8
    TIME = 9
    ASTR = 10
    STR = 11
    BYTES = 12
    I64 = 17
    U64 = 18
    ARRAY = 100
    RECORD = 101


_SCALARS: dict[FieldType, tuple[str, str, int]] = {
    FieldType.I8: ("b", "i1", 1),
    FieldType.I16: ("h", "<i2", 2),
    FieldType.I32: ("i", "<i4", 4),
    FieldType.U8: ("B", "u1", 1),
    FieldType.U16: ("H", "<u2", 2),
    FieldType.U32: ("I", "<u4", 4),
    FieldType.F32: ("f", "<f4", 4),
    FieldType.F64: ("d", "<f8", 8),
    FieldType.TIME: ("Q", "<u8", 8),
    FieldType.I64: ("q", "<i8", 8),
    FieldType.U64: ("Q", "<u8", 8),
}


def ms_to_filetime(ms: int) -> int:
    """Unix milliseconds -> FILETIME (100 ns since 1601), spec 2.1 type 9."""
    return (ms + _EPOCH_DELTA_MS) * 10_000


def filetime_to_ms(wire: int) -> int:
    """FILETIME -> Unix milliseconds (floored), spec 2.1 type 9."""
    return wire // 10_000 - _EPOCH_DELTA_MS


def encode_utf16(text: str, size: int) -> bytes:
    """Encode ``text`` as UTF-16LE truncated to ``size`` bytes (spec 2.1: encoders truncate).

    A surrogate pair is never cut in half: if the limit falls inside one, the pair is dropped.
    The caller (struct ``Ns``) zero-fills to ``size``.
    """
    data: bytes = _utf16_encode(text, "surrogatepass")[0]
    if len(data) > size:
        data = data[:size]
        if 0xD8 <= data[-1] <= 0xDB:  # last unit is a high surrogate: drop the split pair
            data = data[:-2]
    return data


def decode_utf16(raw: bytes, where: str = "") -> str:
    """Decode a str[N] field: UTF-16LE up to the first 0x0000 unit (spec 2.1)."""
    end = raw.find(b"\x00\x00")
    while end > 0 and end & 1:
        end = raw.find(b"\x00\x00", end + 1)
    data = raw if end < 0 else raw[:end]
    if len(data) & 1:  # an odd-length field (never declared by the spec) drops its last byte
        data = data[:-1]
    try:
        return _utf16_decode(data, STRING_DECODE_ERRORS, True)[0]
    except UnicodeDecodeError as exc:
        raise StringDecodeError(f"{where}: invalid UTF-16 at byte {exc.start}") from None


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: name, wire type and (for variable types) byte size, and the
    values strict mode accepts (``valid``, from the record's ``VALID`` table)."""

    name: str
    type: FieldType
    size: int = 0
    item: FieldType | None = None  # element type of ARRAY
    schema: Schema | None = None  # layout of RECORD
    record: builtins.type[WireRecord] | None = None  # typed class of RECORD (None -> dict)
    valid: Valid | None = None  # strict-mode value domain (scalars only)

    @property
    def fmt(self) -> str:
        """The struct format of this field."""
        if self.type in _SCALARS:
            return _SCALARS[self.type][0]
        return f"{self.size}s"

    @property
    def byte_size(self) -> int:
        """Bytes the field takes on the wire."""
        if self.type in _SCALARS:
            return _SCALARS[self.type][2]
        return self.size

    def np_dtype(self) -> Any:
        """numpy description of the field (packed, little-endian)."""
        if self.type in _SCALARS:
            return _SCALARS[self.type][1]
        if self.type is FieldType.STR:
            return ("<u2", (self.size // 2,))
        if self.type is FieldType.ARRAY and self.item is not None:
            _fmt, dt, width = _SCALARS[self.item]
            return (dt, (self.size // width,))
        if self.type is FieldType.RECORD and self.schema is not None:
            return self.schema.dtype
        return f"V{self.size}"

    def default(self) -> Any:
        """The value a missing (zero) field decodes to."""
        if self.type in (FieldType.F32, FieldType.F64):
            return 0.0
        if self.type is FieldType.TIME:
            return filetime_to_ms(0)
        if self.type is FieldType.STR:
            return ""
        if self.type in (FieldType.ASTR, FieldType.BYTES):
            return bytes(self.size)
        if self.type is FieldType.ARRAY and self.item is not None:
            zero = 0.0 if self.item in (FieldType.F32, FieldType.F64) else 0
            return (zero,) * (self.size // _SCALARS[self.item][2])
        if self.type is FieldType.RECORD and self.schema is not None:
            return self.schema.decode_nested(bytes(self.size), self.record)
        return 0


class Schema:
    """An ordered list of fields: encode, decode and numpy dtype of one record layout."""

    def __init__(self, name: str, fields: Sequence[Field], *, pad_short: bool = False) -> None:
        self.name = name
        self.fields = tuple(fields)
        self.names = tuple(f.name for f in self.fields)
        self.struct = struct.Struct("<" + "".join(f.fmt for f in self.fields))
        self.size = self.struct.size
        #: spec 2.2 tolerance: a short record is accepted when it ends on one of these offsets
        #: (or anywhere, with pad_short, see assumptions.TRADE_REQUEST_SHORT_IS_ZERO_FILLED).
        self.pad_short = pad_short
        offsets, pos = [0], 0
        for f in self.fields:
            pos += f.byte_size
            offsets.append(pos)
        self.boundaries = frozenset(offsets)
        self._offsets = tuple(offsets)
        converted = [(i, f) for i, f in enumerate(self.fields)
                     if f.fmt.endswith("s") or f.type is FieldType.TIME]
        self._post = tuple((i, self._decoder(f)) for i, f in converted)
        self._pre = tuple((i, self._encoder(f)) for i, f in converted)
        self._getter = attrgetter(*self.names) if len(self.names) > 1 else None
        self._dtype: np.dtype[Any] | None = None
        #: strict-mode value checks, nested records flattened (run only when DEBUG is on).
        self.checks = self._compile_checks()

    def __repr__(self) -> str:
        return f"Schema({self.name!r}, {len(self.fields)} fields, {self.size} bytes)"

    def _compile_checks(self) -> tuple[Check, ...]:
        checks: list[Check] = []
        for f, start in zip(self.fields, self._offsets, strict=False):
            if f.type is FieldType.RECORD and f.schema is not None:
                checks.extend(
                    Check(".".join((self.name, f.name, *c.path)), (f.name, *c.path),
                          start + c.offset, c.unpack, c.valid)
                    for c in f.schema.checks
                )
            if f.valid is None:
                continue
            floating = f.type in (FieldType.F32, FieldType.F64)
            if f.type not in _SCALARS or f.type is FieldType.TIME or floating != f.valid.finite:
                raise TypeError(f"{self.name}.{f.name}: domain {f.valid} does not fit "
                                f"{f.type.name}")
            unpack = struct.Struct("<" + _SCALARS[f.type][0])
            checks.append(Check(f"{self.name}.{f.name}", (f.name,), start, unpack, f.valid))
        return tuple(checks)

    # --- numpy -----------------------------------------------------------------------------
    @property
    def dtype(self) -> np.dtype[Any]:
        """Packed little-endian structured dtype of the record (itemsize == size)."""
        if self._dtype is None:
            self._dtype = np.dtype([(f.name, f.np_dtype()) for f in self.fields])
        return self._dtype

    # --- decode ----------------------------------------------------------------------------
    def _decoder(self, f: Field) -> Callable[[Any], Any]:
        where = f"{self.name}.{f.name}"
        if f.type is FieldType.STR:
            return lambda raw: decode_utf16(raw, where)
        if f.type is FieldType.TIME:
            return filetime_to_ms
        if f.type is FieldType.ARRAY and f.item is not None:
            sub = struct.Struct(f"<{f.size // _SCALARS[f.item][2]}{_SCALARS[f.item][0]}")
            return sub.unpack
        if f.type is FieldType.RECORD and f.schema is not None:
            schema, record = f.schema, f.record
            return lambda raw: schema.decode_nested(raw, record)
        return lambda raw: raw  # astr / bytes: raw bytes, NULs included (spec 2.1)

    def _padded(self, buf: Buffer, offset: int) -> tuple[Buffer, int]:
        remaining = len(buf) - offset
        if remaining >= self.size:
            return buf, offset
        if remaining < 0 or (remaining not in self.boundaries and not self.pad_short):
            raise TruncatedRecordError(
                f"{self.name}: record of {self.size} bytes at offset {offset} ends after "
                f"{max(remaining, 0)} bytes, inside a field"
            )
        if DEBUG:
            LOGGER.warning("%s: short record (%d of %d bytes), tail zero-filled (spec 2.2)",
                           self.name, remaining, self.size)
        return bytes(buf[offset:]) + bytes(self.size - remaining), 0

    def decode_values(self, buf: Buffer, offset: int, record: type[R] | None) -> Any:
        """Decode to ``record(*values)`` or a dict (generic path; see ``_compiled.py``)."""
        data, pos = self._padded(buf, offset)
        values = self.struct.unpack_from(data, pos)
        if DEBUG and self.checks:  # strict mode only: the normal path pays one global test
            check_record(self.checks, data, pos, offset)
        return self._build(values, record)

    def decode_nested(self, raw: bytes, record: type[R] | None) -> Any:
        """Decode exactly ``size`` bytes of a nested record without strict checks (the outer
        record's checks already cover the nested fields, with their offsets in the body)."""
        return self._build(self.struct.unpack(raw), record)

    def _build(self, values: tuple[Any, ...], record: type[R] | None) -> Any:
        if self._post:
            values = list(values)  # type: ignore[assignment]
            for i, conv in self._post:
                values[i] = conv(values[i])  # type: ignore[index]
        if record is None:
            return dict(zip(self.names, values, strict=True))
        return record(*values)

    def decode(self, buf: Buffer, offset: int = 0) -> dict[str, Any]:
        """Decode one record at ``offset`` into a dict (spec 2.2 tolerance for short tails)."""
        return cast(dict[str, Any], self.decode_values(buf, offset, None))

    # --- encode ----------------------------------------------------------------------------
    def _encoder(self, f: Field) -> Callable[[Any], Any]:
        if f.type is FieldType.STR:
            size = f.size
            return lambda text: encode_utf16(text, size)
        if f.type is FieldType.TIME:
            return ms_to_filetime
        if f.type is FieldType.ARRAY and f.item is not None:
            count = f.size // _SCALARS[f.item][2]
            sub = struct.Struct(f"<{count}{_SCALARS[f.item][0]}")
            return lambda seq: sub.pack(*seq)
        if f.type is FieldType.RECORD and f.schema is not None:
            return f.schema.encode
        size = f.size

        def exact(value: bytes) -> bytes:
            if len(value) > size:
                raise EncodeError(f"{self.name}.{f.name}: {len(value)} bytes exceed {size}")
            return bytes(value)

        return exact

    def encode(self, value: Mapping[str, Any] | WireRecord) -> bytes:
        """Encode a record instance or a mapping (missing keys -> zero) to ``size`` bytes."""
        if isinstance(value, Mapping):
            values = [value.get(f.name, f.default()) for f in self.fields]
        elif self._getter is not None:
            values = list(self._getter(value))
        else:
            values = [getattr(value, self.names[0])]
        try:
            for i, conv in self._pre:
                values[i] = conv(values[i])
            return self.struct.pack(*values)
        except EncodeError:
            raise
        except (struct.error, OverflowError, TypeError, ValueError, AttributeError) as exc:
            raise EncodeError(self._locate(values, exc)) from None

    def _locate(self, values: list[Any], exc: Exception) -> str:
        for f, v in zip(self.fields, values, strict=True):
            try:
                struct.pack("<" + f.fmt, v)
            except (struct.error, OverflowError, TypeError, ValueError):
                return f"{self.name}.{f.name}: {v!r:.80} does not fit {f.type.name}"
        return f"{self.name}: {exc}"


class WireRecord:
    """Base of every typed record; ``wire_record`` fills ``SCHEMA`` and ``SIZE``."""

    __slots__ = ()
    SCHEMA: ClassVar[Schema]
    SIZE: ClassVar[int]
    #: field name -> values strict mode accepts (declared next to the fields, see valid.py).
    VALID: ClassVar[Mapping[str, Valid]] = {}
    #: compiled fast paths (``_compiled.install``), valid for ``_fast_owner`` only.
    _fast_owner: ClassVar[type | None] = None
    _fast_decode: ClassVar[Callable[[Buffer, int], Any]]
    _fast_encode: ClassVar[Callable[[Any], bytes]]

    @classmethod
    def decode(cls, buf: Buffer, offset: int = 0) -> Self:
        """Decode one record at ``offset`` (spec 2.2 tolerance for a short tail)."""
        if cls._fast_owner is cls and not DEBUG and len(buf) - offset >= cls.SIZE:
            return cast(Self, cls._fast_decode(buf, offset))
        return cast(Self, cls.SCHEMA.decode_values(buf, offset, cls))

    def encode(self) -> bytes:
        """Encode this record to exactly ``SIZE`` bytes."""
        return type(self)._fast_encode(self)  # a staticmethod, see _compiled.install


_WIRE = "wire"


def wire_record(cls: type[R]) -> type[R]:
    """Class decorator: build ``cls.SCHEMA`` from the dataclass fields' wire metadata."""
    return _finish(cls, pad_short=False)


def wire_record_zero_filled(cls: type[R]) -> type[R]:
    """Like ``wire_record``, but a short record is zero-filled even mid-field (trade request)."""
    return _finish(cls, pad_short=True)


def _finish(cls: type[R], *, pad_short: bool) -> type[R]:
    fields = []
    table = cls.VALID
    for dc_field in dataclasses.fields(cls):  # type: ignore[arg-type]
        spec = dc_field.metadata[_WIRE]
        fields.append(dataclasses.replace(spec, name=dc_field.name,
                                          valid=table.get(dc_field.name)))
    unknown = set(table) - {f.name for f in fields}
    if unknown:
        raise TypeError(f"{cls.__name__}.VALID names unknown fields {sorted(unknown)}")
    cls.SCHEMA = Schema(cls.__name__, fields, pad_short=pad_short)
    cls.SIZE = cls.SCHEMA.size
    install(cls)
    return cls


def _field(spec: Field, default: Any) -> Any:
    return dataclasses.field(default=default, metadata={_WIRE: spec})


def _scalar(kind: FieldType, zero: Any) -> Any:
    return _field(Field("", kind), zero)


# Declaration helpers: each returns a dataclass field carrying its wire type. Their declared
# return types are the Python value types, so records stay fully typed for mypy.
def i8() -> int: return cast(int, _scalar(FieldType.I8, 0))
def i16() -> int: return cast(int, _scalar(FieldType.I16, 0))
def i32() -> int: return cast(int, _scalar(FieldType.I32, 0))
def u8() -> int: return cast(int, _scalar(FieldType.U8, 0))
def u16() -> int: return cast(int, _scalar(FieldType.U16, 0))
def u32() -> int: return cast(int, _scalar(FieldType.U32, 0))
def i64() -> int: return cast(int, _scalar(FieldType.I64, 0))
def u64() -> int: return cast(int, _scalar(FieldType.U64, 0))
def f32() -> float: return cast(float, _scalar(FieldType.F32, 0.0))
def f64() -> float: return cast(float, _scalar(FieldType.F64, 0.0))


def time() -> int:
    """FILETIME on the wire, Unix milliseconds in Python (spec 2.1 type 9)."""
    return cast(int, _field(Field("", FieldType.TIME), filetime_to_ms(0)))


def astr(size: int) -> bytes:
    """astr[N]: one byte per character, raw bytes in Python (spec 2.1 type 10)."""
    return cast(bytes, _field(Field("", FieldType.ASTR, size), bytes(size)))


def string(size: int) -> str:
    """str[N]: UTF-16LE, N bytes, zero filled (spec 2.1 type 11)."""
    return cast(str, _field(Field("", FieldType.STR, size), ""))


def raw(size: int) -> bytes:
    """bytes[N]: raw bytes, zero filled on encode (spec 2.1 type 12)."""
    return cast(bytes, _field(Field("", FieldType.BYTES, size), bytes(size)))


def array(item: FieldType, count: int) -> tuple[Any, ...]:
    """bytes[N] with an "N x type" sub-parser, e.g. 8 x f64 (spec 2.1 type 12)."""
    width = _SCALARS[item][2]
    zero = 0.0 if item in (FieldType.F32, FieldType.F64) else 0
    spec = Field("", FieldType.ARRAY, width * count, item=item)
    return cast(tuple[Any, ...], _field(spec, (zero,) * count))


def nested(record: type[R]) -> R:
    """bytes[N] holding a nested record (spec 2.2), decoded to ``record``."""
    spec = Field("", FieldType.RECORD, record.SIZE, schema=record.SCHEMA, record=record)
    return dataclasses.field(default_factory=record, metadata={_WIRE: spec})


# Re-exported here: bodies are read and written through the codec's names.
from ._compiled import install  # noqa: E402
from ._reader import Reader, encode_counted  # noqa: E402
