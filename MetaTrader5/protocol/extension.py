"""OUR simulator extension - NOT part of the real MetaTrader 5 Web Terminal protocol.

The real protocol has no historical tick command (spec 6.2). Our simulator offers one, and
announces it so that a client never sends an unknown id to a real server:

* push ``EXTENSION_HELLO`` (30001), sent by the simulator right after push 15 following a
  successful login: u32 extension protocol version, u32 capability bits
  (``CAPABILITY_TICK_HISTORY`` = 1).
* request ``EXTENSION_TICK_HISTORY`` (30002), allowed only after that push:
  u32 symbol_id, i64 from_ms, i64 to_ms, u32 max_count, i32 copy_flags (COPY_TICKS_*).
  Response: u32 count + count x 52-byte tick (i64 time_msc, f64 bid, f64 ask, f64 last,
  i64 volume in 10^-8 lots, f64 volume_real, u32 official TICK_FLAG bits), plain prices.
  The server pages large ranges: at most ``max_count`` ticks per response.

Both ids are outside the official allow-list (spec 3.1) on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import TICKS_DTYPE

from .bulk import _CHUNK, _block
from .codec import Buffer, Reader, WireRecord, f64, i32, i64, u32, wire_record
from .commands import Command
from .exceptions import EncodeError, OversizedCountError

__all__ = [
    "EXTENSION_HELLO",
    "EXTENSION_TICK_HISTORY",
    "EXTENSION_VERSION",
    "CAPABILITY_TICK_HISTORY",
    "ExtensionHello",
    "TickHistoryRequest",
    "ExtTick",
    "EXT_TICK_DTYPE",
    "encode_extension_hello",
    "decode_extension_hello",
    "encode_tick_history_request",
    "decode_tick_history_request",
    "encode_tick_history",
    "decode_tick_history",
    "ext_ticks_to_official",
]

EXTENSION_HELLO = int(Command.EXTENSION_HELLO)
EXTENSION_TICK_HISTORY = int(Command.EXTENSION_TICK_HISTORY)
EXTENSION_VERSION = 1
CAPABILITY_TICK_HISTORY = 1


@wire_record
@dataclass(frozen=True, slots=True)
class ExtensionHello(WireRecord):
    """Push 30001 body."""

    version: int = u32()
    capabilities: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class TickHistoryRequest(WireRecord):
    """Request 30002 payload, 28 bytes."""

    symbol_id: int = u32()
    from_ms: int = i64()
    to_ms: int = i64()
    max_count: int = u32()
    copy_flags: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class ExtTick(WireRecord):
    """One tick of the 30002 response, 52 bytes, plain prices."""

    time_msc: int = i64()
    bid: float = f64()
    ask: float = f64()
    last: float = f64()
    volume: int = i64()
    volume_real: float = f64()
    flags: int = u32()


#: numpy dtype of one extension tick (from the same declaration).
EXT_TICK_DTYPE: np.dtype[Any] = ExtTick.SCHEMA.dtype


def encode_extension_hello(hello: ExtensionHello) -> bytes:
    """Push 30001 body."""
    return hello.encode()


def decode_extension_hello(body: Buffer) -> ExtensionHello:
    """Push 30001 body."""
    return ExtensionHello.decode(body)


def encode_tick_history_request(request: TickHistoryRequest) -> bytes:
    """Request 30002 payload."""
    return request.encode()


def decode_tick_history_request(payload: Buffer) -> TickHistoryRequest:
    """Request 30002 payload."""
    return TickHistoryRequest.decode(payload)


def encode_tick_history(ticks: npt.NDArray[Any]) -> bytes:
    """Response 30002 from an array with the fields of ``EXT_TICK_DTYPE`` (or TICKS_DTYPE:
    its ``volume`` is then taken from ``volume_real`` x 10^8)."""
    out = np.zeros(len(ticks), EXT_TICK_DTYPE)
    names = ticks.dtype.names or ()
    for name in ("time_msc", "bid", "ask", "last", "volume_real", "flags"):
        if name in names:
            out[name] = ticks[name]
    if ticks.dtype == EXT_TICK_DTYPE:
        out["volume"] = ticks["volume"]
    elif "volume_real" in names:
        out["volume"] = np.rint(ticks["volume_real"] * 1e8).astype("<i8")
    if len(out) > 0xFFFFFFFF:
        raise EncodeError("tick history: too many ticks for a u32 count")
    return np.uint32(len(out)).tobytes() + out.tobytes()


def decode_tick_history(body: Buffer) -> npt.NDArray[Any]:
    """Response 30002 -> array of ``EXT_TICK_DTYPE`` (no per-record Python loop)."""
    r = Reader(body, "ext 30002 tick history")
    count = r.scalar("I", "count")
    need = count * ExtTick.SIZE
    if need > r.remaining:
        raise OversizedCountError(
            f"ext 30002: count {count} needs {need} bytes, {r.remaining} left"
        )
    return np.frombuffer(body, EXT_TICK_DTYPE, count=count, offset=4)


def ext_ticks_to_official(ticks: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Extension ticks -> official ``TICKS_DTYPE`` (volume = int(wire / 10^8), spec 4.1)."""
    if ticks.dtype != EXT_TICK_DTYPE or ticks.ndim != 1:
        return _ext_ticks_to_official_any(ticks)
    n = len(ticks)
    out = np.empty(n, TICKS_DTYPE)
    # bid, ask, last sit at offset 8 in both layouts: one opaque 24-byte item per record.
    src_prices = _block(ticks, 8, 24)
    dst_prices = _block(out, 8, 24)
    scratch = np.empty(min(n, _CHUNK), np.int64)
    # slices that stay in cache: see the ``bulk`` module docstring
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        src, dst, s = ticks[lo:hi], out[lo:hi], scratch[: hi - lo]
        np.copyto(s, src["time_msc"])
        dst["time_msc"] = s
        np.floor_divide(s, 1000, out=s)
        dst["time"] = s
        dst_prices[lo:hi] = src_prices[lo:hi]
        np.copyto(s, src["volume"])
        np.maximum(s, 0, out=s)
        np.floor_divide(s, 100_000_000, out=s)
        dst["volume"] = s
        dst["flags"] = src["flags"]
        dst["volume_real"] = src["volume_real"]
    return out


def _ext_ticks_to_official_any(ticks: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``ext_ticks_to_official`` for any array with the extension tick fields."""
    out = np.empty(len(ticks), TICKS_DTYPE)
    out["time"] = ticks["time_msc"] // 1000
    out["bid"] = ticks["bid"]
    out["ask"] = ticks["ask"]
    out["last"] = ticks["last"]
    out["volume"] = np.maximum(ticks["volume"], 0) // 100_000_000
    out["time_msc"] = ticks["time_msc"]
    out["flags"] = ticks["flags"]
    out["volume_real"] = ticks["volume_real"]
    return out
