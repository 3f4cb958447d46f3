"""Body cursor and counted-array writer on top of ``codec`` schemas (spec 2.2)."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .assumptions import DEBUG, LOGGER
from .exceptions import EncodeError, OversizedCountError, TruncatedRecordError

if TYPE_CHECKING:
    from .codec import Buffer, WireRecord

__all__ = ["Reader", "encode_counted"]

R = TypeVar("R", bound="WireRecord")

#: ``Reader.scalar`` formats, compiled once (a body reads a handful of counts and flags).
_SCALAR_STRUCTS: dict[str, struct.Struct] = {}


class Reader:
    """A cursor over one body: counts, arrays and records with bounds checks (spec 2.2)."""

    __slots__ = ("buf", "pos", "where")

    def __init__(self, buf: Buffer, where: str) -> None:
        self.buf = buf
        self.pos = 0
        self.where = where

    @property
    def remaining(self) -> int:
        """Bytes left after the cursor."""
        return len(self.buf) - self.pos

    def scalar(self, fmt: str, name: str) -> Any:
        """Read one struct scalar (``"I"``, ``"i"``, ``"Q"``...)."""
        st = _SCALAR_STRUCTS.get(fmt) or _SCALAR_STRUCTS.setdefault(fmt, struct.Struct("<" + fmt))
        if self.remaining < st.size:
            raise TruncatedRecordError(
                f"{self.where}: {name} needs {st.size} bytes at offset {self.pos}, "
                f"{self.remaining} left"
            )
        (value,) = st.unpack_from(self.buf, self.pos)
        self.pos += st.size
        return value

    def peek_u32(self) -> int:
        """The u32 at the cursor without moving (0 if fewer than 4 bytes remain)."""
        if self.remaining < 4:
            return 0
        return cast(int, struct.unpack_from("<I", self.buf, self.pos)[0])

    def take(self, size: int, name: str) -> bytes:
        """Read ``size`` raw bytes."""
        if size < 0 or size > self.remaining:
            raise OversizedCountError(
                f"{self.where}: {name} of {size} bytes at offset {self.pos}, "
                f"{self.remaining} left"
            )
        data = bytes(self.buf[self.pos : self.pos + size])
        self.pos += size
        return data

    def record(self, cls: type[R]) -> R:
        """Read one record (a short tail ending at a field boundary is zero-filled)."""
        value = cls.decode(self.buf, self.pos)
        self.pos = min(self.pos + cls.SIZE, len(self.buf))
        return value

    def records(self, cls: type[R], count: int, name: str) -> tuple[R, ...]:
        """Read ``count`` records, checking the body can hold them before allocating."""
        need = count * cls.SIZE
        if count < 0 or need > self.remaining:
            raise OversizedCountError(
                f"{self.where}: count {count} of {name} at offset {self.pos} needs {need} "
                f"bytes, {self.remaining} left"
            )
        size, buf, start = cls.SIZE, self.buf, self.pos
        if cls._fast_owner is cls and not DEBUG:  # compiled decoder: every record is complete
            fast = cls._fast_decode  # see _compiled.py
            out = tuple(fast(buf, pos) for pos in range(start, start + need, size))
        else:
            decode = cls.SCHEMA.decode_values
            out = tuple(decode(buf, start + i * size, cls) for i in range(count))
        self.pos += need
        return out

    def counted(self, cls: type[R], name: str, count_fmt: str = "I") -> tuple[R, ...]:
        """Read a count (u32 unless told) then that many records (spec 2.2)."""
        return self.records(cls, self.scalar(count_fmt, f"{name} count"), name)

    def rest(self, cls: type[R], name: str) -> tuple[R, ...]:
        """Read floor(remaining / size) records, for bodies without a count (spec 2.2)."""
        out = self.records(cls, self.remaining // cls.SIZE, name)
        self.finish()
        return out

    def finish(self) -> None:
        """Trailing bytes are ignored like the JS does; strict mode reports them."""
        if DEBUG and self.remaining:
            LOGGER.warning("%s: %d trailing bytes ignored at offset %d",
                           self.where, self.remaining, self.pos)


def encode_counted(records: Sequence[WireRecord], count_fmt: str = "I") -> bytes:
    """Encode ``count + records`` (u32 count unless told, spec 2.2)."""
    try:
        head = struct.pack("<" + count_fmt, len(records))
    except struct.error:
        raise EncodeError(f"{len(records)} records do not fit a {count_fmt} count") from None
    return head + b"".join(r.encode() for r in records)
