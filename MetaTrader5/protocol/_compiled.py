"""Per-record compiled decoders and encoders: the fast path of ``codec`` (spec 2.1, 2.2).

A record class is compiled once, on first use, into two generated functions:

* ``decode(buf, pos)``: ONE ``struct.unpack_from`` over a flat format in which nested records
  (spec 2.2 bytes[N] with a sub-parser) and "N x type" arrays are inlined, then the instances
  are filled through their slot descriptors. That skips the frozen dataclass ``__init__``
  (one ``object.__setattr__`` per field), the dominant cost of the generic path.
* ``encode(record)``: ONE ``struct.pack`` over the same flat layout, reading attributes
  directly; nested records are flattened, so no intermediate bytes are built.

The generic ``Schema`` methods stay the reference semantics: ``decode`` is only used for a
complete record outside strict mode (the caller checks both), and ``encode`` falls back to
``Schema.encode`` on any error, so error types and messages are those of the generic path.
Every converter is the one the generic path applies (``decode_utf16``, ``encode_utf16``,
FILETIME arithmetic of spec 2.1 type 9), so values and bytes are identical.
"""

from __future__ import annotations

import codecs
import struct
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import codec
from .codec import (
    _EPOCH_DELTA_MS,
    _SCALARS,
    Field,
    FieldType,
    Schema,
    decode_utf16,
    encode_utf16,
)

if TYPE_CHECKING:
    from .codec import Buffer, WireRecord

__all__ = ["install", "compile_decoder", "compile_encoder"]

Decode = Callable[["Buffer", int], Any]
Encode = Callable[[Any], bytes]

#: spec 2.1: a str[N] field that starts with a 0x0000 unit is empty; tested inline so the
#: common empty comment/external id skips the decoding.
_EMPTY_UNIT = b"\x00\x00"

# _EQUAL_REPLACE: with errors="replace", decoding a whole even-sized str[N] field and cutting
# at the first U+0000 equals ``decode_utf16`` (cut at the first aligned 0x0000 unit, then
# decode): the decoder is sequential, a 0x0000 unit always yields U+0000 and nothing else
# does, and a high surrogate before the terminator yields one U+FFFD either way ("illegal
# surrogate" here, "unexpected end of data" there). In strict mode the bytes after the
# terminator must not be looked at, so the generated decoder defers to the generic one.


class _Source:
    """Accumulates generated lines and the constants they refer to."""

    def __init__(self) -> None:
        self.fmt: list[str] = []  # flat struct format, one entry per wire field
        self.wire: list[str] = []  # decode: variables the flat unpack assigns, in order
        self.args: list[str] = []  # encode: expressions passed to the flat pack, in order
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.strings = False  # decode: an even-sized str[N] field was inlined
        self._count = 0

    def const(self, value: Any, hint: str = "k") -> str:
        name = f"{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def var(self) -> str:
        self._count += 1
        return f"v{self._count}"

    def wire_var(self, fmt: str) -> str:
        v = self.var()
        self.fmt.append(fmt)
        self.wire.append(v)
        return v

    def build(self, func: str, args: str, body: list[str]) -> Any:
        src = f"def {func}({args}):\n" + "".join(f"    {line}\n" for line in body)
        namespace = dict(self.names)
        exec(compile(src, f"<mt5web {func}>", "exec"), namespace)  # noqa: S102 (own source)
        return namespace[func]


def _setters(cls: type[WireRecord], schema: Schema) -> list[Any] | None:
    """Slot descriptors of ``cls`` in field order, or None when instances must go through
    ``__init__`` (no slots, or a ``__post_init__`` that must run)."""
    if hasattr(cls, "__post_init__"):
        return None
    out = []
    for name in schema.names:
        descriptor = cls.__dict__.get(name)
        if not isinstance(descriptor, types.MemberDescriptorType):
            return None
        out.append(descriptor.__set__)
    return out


def _decode_fields(src: _Source, schema: Schema, cls: type[WireRecord] | None) -> str:
    """Append the flat format of ``schema`` and the lines that build its value; return the
    expression (a variable) holding the instance (or the dict, with ``cls`` None)."""
    exprs: list[str] = []
    for f in schema.fields:
        exprs.append(_decode_field(src, schema, f))
    obj = src.var()
    setters = None if cls is None else _setters(cls, schema)
    if cls is None:
        pairs = ", ".join(f"{n!r}: {e}" for n, e in zip(schema.names, exprs, strict=True))
        src.lines.append(f"{obj} = {{{pairs}}}")
    elif setters is None:
        src.lines.append(f"{obj} = {src.const(cls, 'cls')}({', '.join(exprs)})")
    else:
        src.lines.append(f"{obj} = new({src.const(cls, 'cls')})")
        src.lines.extend(f"{src.const(s, 's')}({obj}, {e})"
                         for s, e in zip(setters, exprs, strict=True))
    return obj


def _decode_field(src: _Source, schema: Schema, f: Field) -> str:
    if f.type is FieldType.RECORD and f.schema is not None:
        return _decode_fields(src, f.schema, f.record)
    if f.type is FieldType.ARRAY and f.item is not None:
        fmt, _dt, width = _SCALARS[f.item]  # items stay raw, as the generic sub-unpack
        items = [src.wire_var(fmt) for _ in range(f.size // width)]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    v = src.wire_var(f.fmt)
    if f.type is FieldType.TIME:  # spec 2.1 type 9, as codec.filetime_to_ms
        return f"({v} // 10000 - {_EPOCH_DELTA_MS})"
    if f.type is FieldType.STR and f.size % 2 == 0:
        src.strings = True
        return f"('' if {v}[:2] == empty else utf16({v}, 'replace', True)[0].partition(nul)[0])"
    if f.type is FieldType.STR:  # odd size, never declared by the spec: the generic decoder
        where = src.const(f"{schema.name}.{f.name}", "w")
        return f"dstr({v}, {where})"
    return v  # scalars; astr/bytes stay raw bytes, NULs included (spec 2.1)


def compile_decoder(cls: type[WireRecord]) -> Decode:
    """``decode(buf, pos)`` of a complete record of ``cls`` at ``pos`` (no bounds or strict
    checks: the caller guarantees ``len(buf) - pos >= cls.SIZE`` and strict mode off)."""
    src = _Source()
    src.names.update(new=object.__new__, dstr=decode_utf16, empty=_EMPTY_UNIT, nul="\x00",
                     utf16=codecs.utf_16_le_decode, codec=codec, generic=cls.SCHEMA.decode_values,
                     cls=cls)
    result = _decode_fields(src, cls.SCHEMA, cls)
    flat = struct.Struct("<" + "".join(src.fmt))
    if flat.size != cls.SIZE:  # pragma: no cover - layout guard
        raise TypeError(f"{cls.__name__}: flat layout of {flat.size} bytes, not {cls.SIZE}")
    unpack = src.const(flat.unpack_from, "unpack")
    target = ", ".join(src.wire) + ("," if len(src.wire) == 1 else "")
    body = [f"{target} = {unpack}(buf, pos)", *src.lines, f"return {result}"]
    if src.strings:  # the inlined str[N] decoding is the "replace" one (see _EQUAL_REPLACE)
        body[:0] = ["if codec.STRING_DECODE_ERRORS != 'replace':",
                    "    return generic(buf, pos, cls)"]
    return src.build("decode", "buf, pos", body)  # type: ignore[no-any-return]


def _encode_fields(src: _Source, schema: Schema, obj: str) -> None:
    converters = dict(schema._pre)  # the generic path's per-field converters
    for i, f in enumerate(schema.fields):
        value = f"{obj}.{f.name}"
        if f.type is FieldType.RECORD and f.schema is not None:
            inner = src.var()
            src.lines.append(f"{inner} = {value}")
            _encode_fields(src, f.schema, inner)
            continue
        src.fmt.append(f.fmt)
        if f.type is FieldType.TIME:  # spec 2.1 type 9, as codec.ms_to_filetime
            src.args.append(f"({value} + {_EPOCH_DELTA_MS}) * 10000")
        elif f.type is FieldType.STR:
            src.args.append(f"estr({value}, {f.size})")
        elif f.fmt.endswith("s"):  # arrays, raw bytes: the generic path's own converter
            src.args.append(f"{src.const(converters[i], 'c')}({value})")
        else:
            src.args.append(value)


def compile_encoder(cls: type[WireRecord]) -> Encode:
    """``encode(record)`` of ``cls``: the bytes of ``cls.SCHEMA.encode(record)``."""
    src = _Source()
    src.names.update(estr=encode_utf16, slow=cls.SCHEMA.encode)
    _encode_fields(src, cls.SCHEMA, "r")
    flat = struct.Struct("<" + "".join(src.fmt))
    if flat.size != cls.SIZE:  # pragma: no cover - layout guard
        raise TypeError(f"{cls.__name__}: flat layout of {flat.size} bytes, not {cls.SIZE}")
    pack = src.const(flat.pack, "pack")
    body = ["try:", *(f"    {line}" for line in src.lines),
            f"    return {pack}({', '.join(src.args)})",
            "except Exception:",  # the generic path raises the documented EncodeError
            "    return slow(r)"]
    return src.build("encode", "r", body)  # type: ignore[no-any-return]


def install(cls: type[WireRecord]) -> None:
    """Give ``cls`` lazy ``_fast_decode``/``_fast_encode``: compiled on first call (keeps
    import time flat), then replaced by the compiled function."""

    def first_decode(buf: Buffer, pos: int) -> Any:
        fast = compile_decoder(cls)
        setattr(cls, "_fast_decode", staticmethod(fast))  # noqa: B010 (class attribute)
        return fast(buf, pos)

    def first_encode(record: Any) -> bytes:
        fast = compile_encoder(cls)
        setattr(cls, "_fast_encode", staticmethod(fast))  # noqa: B010 (class attribute)
        return fast(record)

    setattr(cls, "_fast_decode", staticmethod(first_decode))  # noqa: B010
    setattr(cls, "_fast_encode", staticmethod(first_encode))  # noqa: B010
    setattr(cls, "_fast_owner", cls)  # noqa: B010 (a plain subclass must not inherit these)
