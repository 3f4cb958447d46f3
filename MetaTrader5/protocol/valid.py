"""Allowed values of wire fields, checked in strict mode only (``assumptions.DEBUG``).

A record declares its value domains as data, next to its fields (``WireRecord.VALID``, a
field name -> :class:`Valid` table, see ``schemas/domains.py`` for the spec's domains). The
codec compiles the table once per schema into :class:`Check` rows (flattened through nested
records, with byte offsets inside the record) and runs them only behind ``if DEBUG:``, so the
normal decode path does no extra work.

A value outside its domain is never an error: real servers may send values the spec does not
know. Strict mode logs ONE WARNING line per violation on the ``MetaTrader5.protocol`` logger,
naming the record, the field, the body offset and the value.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .assumptions import LOGGER

__all__ = ["Valid", "Check", "between", "one_of", "bits", "FINITE", "check_record",
           "check_array"]


@dataclass(frozen=True, slots=True)
class Valid:
    """A value domain: an inclusive range, a set of values, a bit mask, or "finite float".

    Exactly one of the forms is set; build them with :func:`between`, :func:`one_of`,
    :func:`bits` or use :data:`FINITE`.
    """

    lo: int | None = None
    hi: int | None = None
    values: frozenset[int] | None = None
    mask: int | None = None
    finite: bool = False

    def accepts(self, value: Any) -> bool:
        """Whether one decoded scalar lies in the domain."""
        if self.finite:
            return math.isfinite(value)
        if self.values is not None:
            return value in self.values
        if self.mask is not None:
            return bool((value | self.mask) == self.mask)
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)

    def rejects(self, column: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
        """Vectorised :meth:`accepts`: True where a value of ``column`` is outside."""
        bad: npt.NDArray[np.bool_]
        if self.finite:
            bad = ~np.isfinite(column)
        elif self.values is not None:
            bad = ~np.isin(column, np.fromiter(self.values, np.int64))
        elif self.mask is not None:
            bad = np.bitwise_or(column, self.mask) != self.mask
        else:
            bad = self._outside(column)
        return bad

    def _outside(self, column: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
        bad = np.zeros(column.shape, np.bool_)
        info = np.iinfo(column.dtype)
        if self.lo is not None and self.lo > info.min:
            bad |= column < self.lo
        if self.hi is not None and self.hi < info.max:
            bad |= column > self.hi
        return bad

    def __str__(self) -> str:
        if self.finite:
            return "a finite number"
        if self.values is not None:
            return "one of " + _runs(sorted(self.values))
        if self.mask is not None:
            return f"only bits of {self.mask:#x}"
        if self.hi is None:
            return f">= {self.lo}"
        return f"{self.lo}..{self.hi}"


def _runs(values: list[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``"0..2, 5"`` (short log lines for sets like spec 4.5's actions)."""
    parts: list[str] = []
    start = prev = values[0] if values else 0
    for v in [*values[1:], None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(str(start) if start == prev else f"{start}..{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(parts) if values else "(none)"


def between(lo: int, hi: int | None = None) -> Valid:
    """Integers in ``lo..hi`` inclusive (``hi`` None: no upper bound)."""
    return Valid(lo=lo, hi=hi)


def one_of(values: Iterable[int]) -> Valid:
    """Integers from an explicit set (e.g. the wire trade actions of spec 4.5)."""
    return Valid(values=frozenset(values))


def bits(mask: int) -> Valid:
    """Integers whose set bits are all inside ``mask`` (e.g. tick ``fields``, spec 3.5.1)."""
    return Valid(mask=mask)


#: f64 values that must not be NaN or infinite (prices, amounts).
FINITE = Valid(finite=True)


@dataclass(frozen=True, slots=True)
class Check:
    """One compiled check: ``record.field`` at ``offset`` inside the record, read with ``unpack``.

    ``path`` names the numpy column (nested records give several names).
    """

    name: str
    path: tuple[str, ...]
    offset: int
    unpack: struct.Struct
    valid: Valid


def check_record(checks: tuple[Check, ...], data: Any, pos: int, offset: int) -> None:
    """Strict mode: run ``checks`` on the record at ``data[pos:]`` (``offset`` is its offset
    in the caller's body, used in the log line); one WARNING per violation."""
    for c in checks:
        (value,) = c.unpack.unpack_from(data, pos + c.offset)
        if not c.valid.accepts(value):
            LOGGER.warning("strict: %s = %r at offset %d, expected %s",
                           c.name, value, offset + c.offset, c.valid)


def check_array(checks: tuple[Check, ...], array: npt.NDArray[Any], offset: int,
                where: str) -> None:
    """Strict mode, bulk decoding: run ``checks`` on every row of a record array that starts at
    ``offset`` of the body; one WARNING per failing field, naming its first bad row."""
    size = array.dtype.itemsize
    for c in checks:
        column = array
        for name in c.path:
            column = column[name]
        bad = np.flatnonzero(c.valid.rejects(column))
        if bad.size:
            row = int(bad[0])
            LOGGER.warning("strict: %s: %s = %r at offset %d, expected %s (%d of %d records)",
                           where, c.name, column[row].item(), offset + row * size + c.offset,
                           c.valid, bad.size, len(array))
