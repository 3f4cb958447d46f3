"""Session-level bodies: bootstrap 0, id lists, push 15, ping 51, logout 2 (spec 1.5, 3.1).

Note: the bootstrap request/response are built by ``connection.py``; the functions here are
the body layouts it uses.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..assumptions import BOOTSTRAP_PREFIX_LENGTH, BOOTSTRAP_TOKEN_LENGTH, SESSION_KEY_LENGTHS
from ..codec import Buffer, Reader
from ..exceptions import DecodeError, EncodeError, OversizedCountError, TruncatedRecordError

__all__ = [
    "BootstrapResponse",
    "encode_bootstrap_request",
    "decode_bootstrap_request",
    "encode_bootstrap_response",
    "decode_bootstrap_response",
    "encode_id_list",
    "decode_id_list",
    "encode_u32",
    "decode_u32",
    "encode_empty",
    "decode_empty",
]


@dataclass(frozen=True, slots=True)
class BootstrapResponse:
    """cmd 0 response body (spec 1.5): build (bytes 0-1, [?]), token, session key."""

    build: int
    token: bytes
    session_key: bytes


def encode_bootstrap_request(token: bytes | None = None) -> bytes:
    """cmd 0 request payload: the 64-byte token, zeros on a fresh start (spec 1.5)."""
    token = bytes(BOOTSTRAP_TOKEN_LENGTH) if token is None else bytes(token)
    if len(token) != BOOTSTRAP_TOKEN_LENGTH:
        raise EncodeError(f"bootstrap token must be 64 bytes, got {len(token)}")
    return token


def decode_bootstrap_request(payload: Buffer) -> bytes:
    """cmd 0 request payload -> token (spec 1.5)."""
    if len(payload) != BOOTSTRAP_TOKEN_LENGTH:
        raise DecodeError(f"cmd 0: token of {len(payload)} bytes, expected 64")
    return bytes(payload)


def encode_bootstrap_response(value: BootstrapResponse) -> bytes:
    """cmd 0 response body (spec 1.5)."""
    if len(value.token) != BOOTSTRAP_TOKEN_LENGTH:
        raise EncodeError(f"bootstrap token must be 64 bytes, got {len(value.token)}")
    if len(value.session_key) not in SESSION_KEY_LENGTHS:
        raise EncodeError(f"session key of {len(value.session_key)} bytes (16/24/32 allowed)")
    try:
        build = struct.pack("<H", value.build)
    except struct.error:
        raise EncodeError(f"build {value.build} does not fit a u16") from None
    return build + bytes(value.token) + bytes(value.session_key)


def decode_bootstrap_response(body: Buffer) -> BootstrapResponse:
    """cmd 0 response body; key = everything after byte 66 (spec 1.5)."""
    head = BOOTSTRAP_PREFIX_LENGTH + BOOTSTRAP_TOKEN_LENGTH
    key_len = len(body) - head
    if key_len not in SESSION_KEY_LENGTHS:
        raise DecodeError(
            f"cmd 0: response of {len(body)} bytes leaves a {key_len}-byte session key "
            "(16, 24 or 32 expected)"
        )
    (build,) = struct.unpack_from("<H", body, 0)
    return BootstrapResponse(build, bytes(body[2:head]), bytes(body[head:]))


def encode_id_list(ids: list[int] | tuple[int, ...]) -> bytes:
    """"id list" (cmds 7, 18, 20, 22): u32 count + count x u32 (spec 3.1)."""
    try:
        return struct.pack(f"<I{len(ids)}I", len(ids), *ids)
    except struct.error:
        raise EncodeError("symbol id out of u32 range") from None


def decode_id_list(body: Buffer) -> tuple[int, ...]:
    """Parse an id list (spec 3.1); the count is checked against the body first."""
    reader = Reader(body, "id list")
    count = reader.scalar("I", "count")
    if count * 4 > reader.remaining:
        raise OversizedCountError(
            f"id list: count {count} needs {count * 4} bytes, {reader.remaining} left"
        )
    ids = struct.unpack_from(f"<{count}I", body, 4)
    reader.pos += count * 4
    reader.finish()
    return ids


def encode_u32(value: int) -> bytes:
    """A body that is one u32 (push 15 state, notify 42, trade response 12)."""
    try:
        return struct.pack("<I", value)
    except struct.error:
        raise EncodeError(f"{value!r} does not fit a u32") from None


def decode_u32(body: Buffer, where: str = "u32 body") -> int:
    """First u32 of a body read as Uint32Array (spec 3.7.1, 3.7.3)."""
    if len(body) < 4:
        raise TruncatedRecordError(f"{where}: {len(body)} bytes, need 4")
    return int(struct.unpack_from("<I", body, 0)[0])


def encode_empty() -> bytes:
    """Empty payload (ping 51, logout 2, the empty requests 3, 4, 6, 9, 34, 41, 44)."""
    return b""


def decode_empty(body: Buffer) -> None:
    """Empty bodies carry nothing; anything present is ignored like the JS does."""
    del body
