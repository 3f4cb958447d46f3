"""Outer frame (spec 1.2) and inner frames in both directions (spec 1.4).

Outer frame: u32 length of the ciphertext, u32 version, ciphertext. Inner frames (plaintext):
client -> server ``salt[2] u16 command payload``; server -> client ``salt[2] u16 command u8
code body``. Bodies are returned as memoryviews over the decrypted plaintext (no copy).

Large server messages (cmd 11 bars, 30002 tick history: up to tens of MB) are not built by
concatenation: the padded plaintext is written once into a numpy buffer and encrypted with
``update_into`` straight behind a reserved outer header (``encode_server_buffer``). Fresh
``bytes`` objects that size are filled through 4 KiB page faults; numpy buffers get huge pages.
``encode_server_chunks`` goes one step further for a sender that writes fragments: it
encrypts each piece only when the sender asks for it (``ServerChunks``).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .assumptions import MAX_MESSAGE_SIZE, OUTER_FRAME_VERSION
from .crypto import (
    INTO_SLACK,
    PieceDecryptor,
    decrypt,
    decrypt_padded,
    encrypt,
    encrypt_pieces_into,
)
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
    "encode_server_chunks",
    "ServerChunks",
    "decode_server_message",
    "decode_server_parts",
    "ServerMessagePieces",
]

OUTER_HEADER_SIZE = 8
_OUTER = struct.Struct("<II")
_CLIENT_HEAD = struct.Struct("<2sH")
_SERVER_HEAD = struct.Struct("<2sHB")
#: The server inner header without the salt (nobody but ``ServerFrame`` wants it).
_SERVER_IDS = struct.Struct("<2xHB")
_SERVER_HEAD_SIZE = _SERVER_HEAD.size

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


@dataclass(frozen=True, slots=True)
class _InnerPieces:
    """A server inner frame as the three pieces it is encrypted from (spec 1.3, 1.4)."""

    head: bytes  # salt, command, code
    body: memoryview  # flat bytes, not copied
    pad: bytes  # PKCS#7

    @property
    def padded(self) -> int:
        return len(self.head) + len(self.body) + len(self.pad)


def _inner_pieces(
    command: int, code: int, body: Buffer, salt: bytes | None
) -> _InnerPieces | None:
    """The pieces of a server inner frame, or None when ``body`` is not contiguous (the
    caller then copies it on the plain path)."""
    view = memoryview(body)
    if not view.c_contiguous:
        return None
    _check_command(command)
    if not 0 <= code <= 0xFF:
        raise EncodeError(f"result code {code} does not fit a u8")
    size = _SERVER_HEAD.size + view.nbytes
    pad = _BLOCK - size % _BLOCK  # spec 1.3: PKCS#7, a full block when already aligned
    if size + pad + OUTER_HEADER_SIZE > MAX_MESSAGE_SIZE:
        raise EncodeError(f"message of {size + pad} bytes exceeds MAX_MESSAGE_SIZE")
    head = _SERVER_HEAD.pack(_salt(salt), command, code)
    return _InnerPieces(head, view.cast("B"), bytes((pad,)) * pad)


def _wire_buffer(padded: int) -> memoryview:
    """A writable buffer for an outer frame of ``padded`` ciphertext bytes, header filled."""
    wire = np.empty(OUTER_HEADER_SIZE + padded + INTO_SLACK, np.uint8).data
    _OUTER.pack_into(wire, 0, padded, OUTER_FRAME_VERSION)
    return wire


def encode_server_buffer(
    key: bytes, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None
) -> bytes | memoryview:
    """``encode_server_message`` without the final copy: large messages come back as a
    read-only memoryview over one preallocated buffer (what ``websockets`` sends as is)."""
    if memoryview(body).nbytes >= _LARGE_BODY:
        inner = _inner_pieces(command, code, body, salt)
        if inner is not None:
            wire = _wire_buffer(inner.padded)
            for _ in encrypt_pieces_into(key, (inner.head, inner.body, inner.pad),
                                         wire[OUTER_HEADER_SIZE:]):  # fmt: skip
                pass
            return wire[: OUTER_HEADER_SIZE + inner.padded].toreadonly()
    return pack_outer(encrypt(key, pack_server_inner(command, code, body, salt)))


class ServerChunks:
    """One large server message, encrypted piece by piece while it is iterated.

    Iterating yields read-only views that together are exactly the bytes of
    :func:`encode_server_message` (same salt, same ciphertext: CBC chains across the pieces).
    A sender that writes each piece as it comes (WebSocket fragments, RFC 6455 5.4) overlaps
    the encryption of one piece with the transfer and the peer's reading of the previous one,
    where a whole-message encryption would leave the link idle for its full duration (AES
    runs without the GIL). The body is read, not copied, while iterating. Iterable once.
    """

    __slots__ = ("_chunk", "_inner", "_key", "_used")

    def __init__(self, key: bytes, inner: _InnerPieces, chunk: int) -> None:
        self._key = key
        self._inner = inner
        self._chunk = max(_BLOCK, chunk - chunk % _BLOCK)
        self._used = False

    def __len__(self) -> int:
        return OUTER_HEADER_SIZE + self._inner.padded

    def _plaintext(self) -> Iterator[Buffer]:
        inner, chunk = self._inner, self._chunk
        body = inner.body
        # the head rides with the first piece so that every piece but the last gives whole
        # chunks of ciphertext
        first = chunk - len(inner.head)
        yield inner.head
        yield body[:first]
        for at in range(first, len(body), chunk):
            yield body[at : at + chunk]
        yield inner.pad

    def __iter__(self) -> Iterator[memoryview]:
        if self._used:
            raise EncodeError("ServerChunks can be iterated once")
        self._used = True
        wire = _wire_buffer(self._inner.padded)
        done = 0  # ciphertext bytes already yielded
        for written in encrypt_pieces_into(self._key, self._plaintext(),
                                           wire[OUTER_HEADER_SIZE:]):  # fmt: skip
            if written - done >= self._chunk or written == self._inner.padded:
                start = 0 if done == 0 else OUTER_HEADER_SIZE + done
                yield wire[start : OUTER_HEADER_SIZE + written].toreadonly()
                done = written


def encode_server_chunks(
    key: bytes, command: int, code: int = 0, body: Buffer = b"", salt: bytes | None = None,
    *, chunk: int = 1 << 20,
) -> ServerChunks | bytes | memoryview:  # fmt: skip
    """A server message to send in pieces of about ``chunk`` bytes: a :class:`ServerChunks`
    when it is longer than one piece, else the whole message as ``encode_server_buffer``
    returns it. Everything that can fail (ids, code, size) is checked here, not while
    iterating. ``body`` is encrypted while the message is iterated, so it must not change
    until then (the simulator's answers are fresh buffers or immutable cache slices)."""
    if memoryview(body).nbytes > chunk:
        inner = _inner_pieces(command, code, body, salt)
        if inner is not None:
            return ServerChunks(key, inner, chunk)
    return encode_server_buffer(key, command, code, body, salt)


def decode_server_message(key: bytes, message: Buffer) -> ServerFrame:
    """Outer frame -> AES -> inner frame, server direction (used by the client)."""
    plain, end = _server_plaintext(key, message)
    salt, command, code = _SERVER_HEAD.unpack_from(plain, 0)
    return ServerFrame(salt, command, code, memoryview(plain)[_SERVER_HEAD_SIZE:end])


def decode_server_parts(key: bytes, message: Buffer) -> tuple[int, int, memoryview]:
    """``decode_server_message`` as (command, code, body), without the salt: the client's
    per-message path (no frame object, one slice). Raises what it raises."""
    plain, end = _server_plaintext(key, message)
    command, code = _SERVER_IDS.unpack_from(plain, 0)
    return command, code, memoryview(plain)[_SERVER_HEAD_SIZE:end]


def _server_plaintext(key: bytes, message: Buffer) -> tuple[bytes | memoryview, int]:
    """``unpack_outer``, ``decrypt`` and the length check of ``unpack_server_inner``, with
    one slice instead of three: the plaintext with its padding, and where the padding starts
    (spec 1.2 - 1.4)."""
    plain, end = decrypt_padded(key, unpack_outer(message))
    if end < _SERVER_HEAD_SIZE:
        raise FrameError(f"server inner frame: {end} bytes, need at least 5")
    return plain, end


class ServerMessagePieces:
    """One server message that arrives in pieces (WebSocket fragments), decoded as they
    come: the outer header from the first bytes, then each piece of ciphertext decrypted at
    once (``crypto.PieceDecryptor``). ``finish()`` gives what ``decode_server_message`` of
    the joined pieces gives, and raises what it raises, without the join."""

    __slots__ = ("_decryptor", "_head", "_key", "_length", "_received")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._head = bytearray()
        self._decryptor: PieceDecryptor | None = None
        self._length = 0
        self._received = 0

    def feed(self, piece: Buffer) -> None:
        """Take the next piece of the message, in order.

        Raises:
            FrameError: oversized, or more bytes than the length word says.
            DecryptionError: a length word that is not a positive multiple of 16.
        """
        view = memoryview(piece).cast("B")
        if self._decryptor is None:
            need = OUTER_HEADER_SIZE - len(self._head)
            self._head += view[:need]
            view = view[need:]
            if len(self._head) < OUTER_HEADER_SIZE:
                return
            length, _version = _OUTER.unpack(self._head)  # spec 1.2: version ignored
            if length + OUTER_HEADER_SIZE > MAX_MESSAGE_SIZE:
                raise FrameError(f"outer frame: {length} bytes exceeds MAX_MESSAGE_SIZE")
            self._length = length
            self._decryptor = PieceDecryptor(self._key, length)
        self._received += len(view)
        if self._received > self._length:
            raise FrameError(f"outer frame: length word says {self._length} bytes, more follow")
        if len(view):
            self._decryptor.feed(view)

    def finish(self) -> ServerFrame:
        """The decoded inner frame, once every piece was fed.

        Raises:
            FrameError: shorter than the header or than the length word says.
            DecryptionError: invalid padding.
        """
        if self._decryptor is None:
            raise FrameError(
                f"outer frame: {len(self._head)} bytes, need at least {OUTER_HEADER_SIZE}"
            )
        if self._received != self._length:
            raise FrameError(
                f"outer frame: length word says {self._length} bytes, {self._received} follow"
            )
        return unpack_server_inner(self._decryptor.finish())
