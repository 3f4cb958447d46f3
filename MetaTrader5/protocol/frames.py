"""Outer frame (spec 1.2) and inner frames in both directions (spec 1.4).

Outer frame: u32 length of the ciphertext, u32 version, ciphertext. Inner frames (plaintext):
client -> server ``salt[2] u16 command payload``; server -> client ``salt[2] u16 command u8
code body``. Bodies are returned as memoryviews over the decrypted plaintext (no copy).

Large server messages (cmd 11 bars, 30002 tick history: up to tens of MB) are not built by
concatenation: the padded plaintext is written once into a numpy buffer and encrypted with
``update_into`` straight behind a reserved outer header (``encode_server_buffer``). Fresh
``bytes`` objects that size are filled through 4 KiB page faults; numpy buffers get huge pages.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

import numpy as np

from .assumptions import MAX_MESSAGE_SIZE, OUTER_FRAME_VERSION
from .crypto import INTO_SLACK, decrypt, encrypt, encrypt_padded_into
from .exceptions import EncodeError, FrameError

__all__ = [
    "OUTER_HEADER_SIZE",
    "ClientFrame",
    "ServerFrame",
    "pack_outer",
    "unpack_outer",
    "pack_client_inner",
    "unpack_client_inner",
    "pack_server_inner",
    "unpack_server_inner",
    "encode_client_message",
    "decode_client_message",
    "encode_server_message",
    "encode_server_buffer",
    "decode_server_message",
]

OUTER_HEADER_SIZE = 8
_OUTER = struct.Struct("<II")
_CLIENT_HEAD = struct.Struct("<2sH")
_SERVER_HEAD = struct.Struct("<2sHB")

Buffer = bytes | bytearray | memoryview
_BLOCK = 16
#: Bodies from this size on take the preallocated-buffer path (crypto._INTO_MIN: the same
#: measured crossover for the bytes-versus-numpy buffer cost).
_LARGE_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class ClientFrame:
    """A decoded client -> server inner frame."""

    salt: bytes
    command: int
    payload: memoryview


@dataclass(frozen=True, slots=True)
class ServerFrame:
    """A decoded server -> client inner frame (response or push)."""

    salt: bytes
    command: int
    code: int
    body: memoryview


def _salt(salt: bytes | None) -> bytes:
    if salt is None:
        return os.urandom(2)
    if len(salt) != 2:
        raise EncodeError(f"salt must be 2 bytes, got {len(salt)}")
    return bytes(salt)


def pack_outer(ciphertext: bytes) -> bytes:
    """Prefix a ciphertext with the 8-byte outer header (spec 1.2)."""
    if len(ciphertext) + OUTER_HEADER_SIZE > MAX_MESSAGE_SIZE:
        raise EncodeError(f"message of {len(ciphertext)} bytes exceeds MAX_MESSAGE_SIZE")
    return _OUTER.pack(len(ciphertext), OUTER_FRAME_VERSION) + ciphertext


def unpack_outer(message: Buffer) -> memoryview:
    """Return the ciphertext of one WebSocket message; the version word is ignored (spec 1.2).

    Raises:
        FrameError: shorter than the header, oversized, or length word != bytes that follow.
    """
    size = len(message)
    if size < OUTER_HEADER_SIZE:
        raise FrameError(f"outer frame: {size} bytes, need at least {OUTER_HEADER_SIZE}")
    if size > MAX_MESSAGE_SIZE:
        raise FrameError(f"outer frame: {size} bytes exceeds MAX_MESSAGE_SIZE")
    length, _version = _OUTER.unpack_from(message, 0)
    if length != size - OUTER_HEADER_SIZE:
        raise FrameError(
            f"outer frame: length word says {length} bytes, {size - OUTER_HEADER_SIZE} follow"
        )
    return memoryview(message)[OUTER_HEADER_SIZE:]


def _check_command(command: int) -> None:
    if not 0 <= command <= 0xFFFF:
        raise EncodeError(f"command id {command} does not fit a u16")


def pack_client_inner(command: int, payload: Buffer = b"", salt: bytes | None = None) -> bytes:
    """Build a client -> server inner frame (spec 1.4)."""
    _check_command(command)
    return _CLIENT_HEAD.pack(_salt(salt), command) + bytes(payload)


def unpack_client_inner(plain: Buffer) -> ClientFrame:
    """Split a client -> server inner frame (spec 1.4)."""
    if len(plain) < _CLIENT_HEAD.size:
        raise FrameError(f"client inner frame: {len(plain)} bytes, need at least 4")
    salt, command = _CLIENT_HEAD.unpack_from(plain, 0)
    return ClientFrame(salt, command, memoryview(plain)[_CLIENT_HEAD.size :])


def pack_server_inner(
    command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None
) -> bytes:
    """Build a server -> client inner frame (spec 1.4)."""
    _check_command(command)
    if not 0 <= code <= 0xFF:
        raise EncodeError(f"result code {code} does not fit a u8")
    return _SERVER_HEAD.pack(_salt(salt), command, code) + bytes(body)


def unpack_server_inner(plain: Buffer) -> ServerFrame:
    """Split a server -> client inner frame (spec 1.4)."""
    if len(plain) < _SERVER_HEAD.size:
        raise FrameError(f"server inner frame: {len(plain)} bytes, need at least 5")
    salt, command, code = _SERVER_HEAD.unpack_from(plain, 0)
    return ServerFrame(salt, command, code, memoryview(plain)[_SERVER_HEAD.size :])


def encode_client_message(
    key: bytes, command: int, payload: Buffer = b"", salt: bytes | None = None
) -> bytes:
    """Inner frame -> AES -> outer frame, client direction."""
    return pack_outer(encrypt(key, pack_client_inner(command, payload, salt)))


def decode_client_message(key: bytes, message: Buffer) -> ClientFrame:
    """Outer frame -> AES -> inner frame, client direction (used by the server)."""
    return unpack_client_inner(decrypt(key, unpack_outer(message)))


def encode_server_message(
    key: bytes, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None
) -> bytes:
    """Inner frame -> AES -> outer frame, server direction."""
    wire = encode_server_buffer(key, command, code, body, salt)
    return wire if isinstance(wire, bytes) else bytes(wire)


def _large_server_message(
    key: bytes, command: int, code: int, body: Buffer, salt: bytes | None
) -> memoryview | None:
    """The whole outer frame in one numpy buffer, or None when ``body`` is not contiguous
    (the caller then copies it on the plain path)."""
    view = memoryview(body)
    if not view.c_contiguous:
        return None
    _check_command(command)
    if not 0 <= code <= 0xFF:
        raise EncodeError(f"result code {code} does not fit a u8")
    size = _SERVER_HEAD.size + view.nbytes
    pad = _BLOCK - size % _BLOCK  # spec 1.3: PKCS#7, a full block when already aligned
    padded = size + pad
    if padded + OUTER_HEADER_SIZE > MAX_MESSAGE_SIZE:
        raise EncodeError(f"message of {padded} bytes exceeds MAX_MESSAGE_SIZE")
    plain = np.empty(padded, np.uint8)
    _SERVER_HEAD.pack_into(plain.data, 0, _salt(salt), command, code)
    plain[_SERVER_HEAD.size : size] = np.frombuffer(view.cast("B"), np.uint8)
    plain[size:] = pad
    out = np.empty(OUTER_HEADER_SIZE + padded + INTO_SLACK, np.uint8)
    wire = out.data
    encrypt_padded_into(key, plain.data, wire[OUTER_HEADER_SIZE:])
    _OUTER.pack_into(wire, 0, padded, OUTER_FRAME_VERSION)
    return wire[: OUTER_HEADER_SIZE + padded].toreadonly()


def encode_server_buffer(
    key: bytes, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None
) -> bytes | memoryview:
    """``encode_server_message`` without the final copy: large messages come back as a
    read-only memoryview over one preallocated buffer (what ``websockets`` sends as is)."""
    if memoryview(body).nbytes >= _LARGE_BODY:
        wire = _large_server_message(key, command, code, body, salt)
        if wire is not None:
            return wire
    return pack_outer(encrypt(key, pack_server_inner(command, code, body, salt)))


def decode_server_message(key: bytes, message: Buffer) -> ServerFrame:
    """Outer frame -> AES -> inner frame, server direction (used by the client)."""
    return unpack_server_inner(decrypt(key, unpack_outer(message)))
