"""Interim wire helpers, until ``MetaTrader5.protocol.messages`` provides them.

The house rule is one declaration per layout, in the protocol core. These few helpers exist
only because the core's message layer had not landed when the client was written; each one
names the function that should replace it. Keep them minimal: login request (spec 3.8.1),
login answer, id lists (spec 3.1), and the handful of account-header fields the session
needs (spec 3.3.1).
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from dataclasses import dataclass

__all__ = [
    "LOGIN_REQUEST_SIZE",
    "AccountHeaderInfo",
    "decode_account_header_info",
    "decode_login_answer",
    "encode_id_list",
    "encode_login",
    "make_cid",
]

LOGIN_REQUEST_SIZE = 912
_HEX = frozenset("0123456789abcdefABCDEF")
_BLOB = 160


def _utf16(text: str, size: int) -> bytes:
    units = text.encode("utf-16-le")[: size - (size % 2)]
    return units.ljust(size, b"\0")[:size]


def make_cid() -> bytes:
    """spec 3.8.1: 16 stable bytes per client; SHA-1 of a platform string + a random number."""
    return hashlib.sha1(  # noqa: S324 - an identifier, not a security hash (spec 3.8.1)
        f"Linux;1;en-US;1920x1080;{secrets.randbelow(1_000_001)}".encode()
    ).digest()[:16]


def encode_login(login: int, password: str, otp: str, cid: bytes, session: int) -> bytes:
    """912-byte cmd 28 request (spec 3.8.1). Replace with protocol ``encode_login``."""
    blob = bytes(_BLOB)
    text = password[:32]
    if len(password) == 2 * _BLOB and all(c in _HEX for c in password):
        # spec 3.8.1: a 320-hex-character password is a saved-password blob.
        blob, text = bytes.fromhex(password), ""
    parts = [
        struct.pack("<I", 0),
        _utf16(text, 64),
        _utf16(otp[:64], 128),
        cid[:16].ljust(16, b"\0"),
        _utf16("", 64),
        _utf16("", 64),
        struct.pack("<Q", 0),
        _utf16("", 128),
        struct.pack("<I", 0),
        _utf16("", 256),
        struct.pack("<Q", login),
        blob,
        struct.pack("<Q", session),
    ]
    out = b"".join(parts)
    if len(out) != LOGIN_REQUEST_SIZE:  # pragma: no cover - layout constant
        raise RuntimeError("login request layout broken")
    return out


def decode_login_answer(body: bytes | memoryview) -> tuple[bytes, int]:
    """(password blob, session id) of a cmd 28 answer (spec 3.8.1)."""
    data = bytes(body)
    blob = data[:_BLOB]
    session = struct.unpack_from("<Q", data, _BLOB)[0] if len(data) >= _BLOB + 8 else 0
    return blob, session


def encode_id_list(ids: list[int]) -> bytes:
    """spec 3.1 "id list": u32 count + u32 ids. Replace with protocol ``encode_id_list``."""
    return struct.pack(f"<I{len(ids)}I", len(ids), *ids)


@dataclass(frozen=True, slots=True)
class AccountHeaderInfo:
    """The account-header fields the session itself needs (spec 3.3.1)."""

    server_build: int
    timezone_shift: int
    daylight_mode: int

    @property
    def offset_seconds(self) -> int:
        """spec 4.3: server offset = timezone_shift + 3600 * daylight_mode."""
        return self.timezone_shift + 3600 * self.daylight_mode


def decode_account_header_info(body: bytes | memoryview) -> AccountHeaderInfo | None:
    """Read build and time zone from an account block (spec 3.3.1), None if too short."""
    if len(body) < 744:
        return None
    (build,) = struct.unpack_from("<H", body, 353)
    tz, dst = struct.unpack_from("<ib", body, 739)
    return AccountHeaderInfo(build, tz, dst)


# --- market data (spec 3.4.2, 3.5.1, 3.5.4) ------------------------------------------------------

import numpy as np  # noqa: E402 - kept next to the interim layouts it serves
import numpy.typing as npt  # noqa: E402

#: spec 3.4.2: 526-byte symbol-list record. Replace with protocol ``bulk`` symbol decoding.
SYMBOL_LIST_DTYPE = np.dtype(
    [
        ("name", "<u2", (32,)),
        ("description", "<u2", (64,)),
        ("digits", "<u4"),
        ("symbol_id", "<u4"),
        ("path", "<u2", (128,)),
        ("calc_mode", "<u4"),
        ("basis", "<u2", (32,)),
        ("sector", "<u2"),
    ]
)

#: spec 3.5.1: 50-byte tick record of push 8. Replace with protocol ``bulk`` tick decoding.
TICK_PUSH_DTYPE = np.dtype(
    [
        ("symbol_id", "<u4"),
        ("time", "<i4"),
        ("fields", "<u4"),
        ("bid", "<f8"),
        ("ask", "<f8"),
        ("last", "<f8"),
        ("volume", "<i8"),
        ("time_ms", "<u4"),
        ("flags", "<u2"),
    ]
)


def units_to_str(units: npt.NDArray[np.uint16]) -> str:
    """A str[N] column cell (UTF-16 code units) to text, stopping at the first NUL."""
    raw = units.tobytes().decode("utf-16-le", "replace")
    return raw.split("\0", 1)[0]


def decode_symbol_list(body: bytes | memoryview) -> npt.NDArray[np.void]:
    """cmd 6 body (spec 3.4.2): u32 count + records."""
    data = bytes(body)
    if len(data) < 4:
        return np.zeros(0, dtype=SYMBOL_LIST_DTYPE)
    (count,) = struct.unpack_from("<I", data, 0)
    need = count * SYMBOL_LIST_DTYPE.itemsize
    if need > len(data) - 4:
        raise ValueError(f"symbol list: count {count} needs {need} bytes")
    return np.frombuffer(data, SYMBOL_LIST_DTYPE, count, 4)


def decode_tick_push(body: bytes | memoryview) -> npt.NDArray[np.void]:
    """push 8 body (spec 3.5.1): records without a count."""
    count = len(body) // TICK_PUSH_DTYPE.itemsize
    return np.frombuffer(body, TICK_PUSH_DTYPE, count)


def account_symbols_count(body: bytes | memoryview) -> int:
    """``symbols_count`` of an account block (spec 3.3, with the count-0 quirk)."""
    if len(body) < 816 + 4:
        return 0
    (count,) = struct.unpack_from("<I", body, 816)
    offset = 820 if count == 0 else 820 + 628 * count + 4
    if len(body) < offset + 4:
        return 0
    return int(struct.unpack_from("<i", body, offset)[0])


#: spec 3.5.4 book entry header (22 bytes) and level (21 bytes).
BOOK_HEADER = struct.Struct("<IiiIIH")
BOOK_LEVEL = struct.Struct("<IBqq")


def decode_book_push(
    body: bytes | memoryview,
) -> list[tuple[int, int, list[tuple[int, int, int]]]]:
    """push 23 (spec 3.5.4): [(symbol_id, books_flags, [(type, price_int, volume)])]."""
    data = bytes(body)
    if len(data) <= 4:
        return []
    (count,) = struct.unpack_from("<I", data, 0)
    pos, out = 4, []
    for _ in range(count):
        sid, _t, _ms, _mask, flags, levels = BOOK_HEADER.unpack_from(data, pos)
        pos += BOOK_HEADER.size
        items = []
        for _ in range(levels):
            _lm, kind, price, volume = BOOK_LEVEL.unpack_from(data, pos)
            pos += BOOK_LEVEL.size
            items.append((kind, price, volume))
        out.append((sid, flags, items))
    return out
