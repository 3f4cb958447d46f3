"""AES-CBC with a zero IV and PKCS#7 padding, and the initial key (spec 1.3).

Each message is encrypted on its own (no chaining across messages). Cipher objects are cached
per key, so the per-message cost is one encryptor/decryptor context.

Large messages are decrypted with ``update_into`` into a numpy-allocated buffer: the bytes
object ``update`` returns is filled through 4 KiB page faults, which cost about 6x the AES
work itself for a 48 MB bar response, while numpy asks the kernel for huge pages.
For the same reason large server messages are encrypted with ``encrypt_padded_into`` into a
buffer the caller allocates (``frames``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .exceptions import DecryptionError, EncodeError

__all__ = [
    "INITIAL_KEY",
    "OBFUSCATED_INITIAL_KEY",
    "INTO_SLACK",
    "deobfuscate_key",
    "encrypt",
    "encrypt_padded_into",
    "encrypt_pieces_into",
    "decrypt",
    "decrypt_padded",
    "PieceDecryptor",
]

#: spec 1.3: the constant string of the official bundle the initial key is built from.
OBFUSCATED_INITIAL_KEY = "13ef13b2b76dd8:5795gdcfb2fdc1ge85bf768f54773d22fff996e3ge75g5:75"

_BLOCK = 16
_ZERO_IV = bytes(_BLOCK)
#: Ciphertexts from this size on are decrypted into a numpy buffer (measured crossover: equal
#: at 16 KiB, 1.2x faster at 64 KiB, 10x at 1 MiB).
_INTO_MIN = 64 * 1024
#: Bytes ``update_into`` wants in its output buffer beyond the input (cryptography API: one
#: block minus one).
INTO_SLACK = _BLOCK - 1


def deobfuscate_key(text: str) -> bytes:
    """Decode an obfuscated key string (spec 1.3: 28 -> '&', 23 -> '!', else code point - 1)."""

    def shift(ch: str) -> str:
        code = ord(ch)
        if code == 28:
            return "&"
        if code == 23:
            return "!"
        return chr(code - 1)

    return bytes.fromhex("".join(shift(ch) for ch in text))


#: spec 1.3: AES-256 key of the bootstrap request and response.
INITIAL_KEY: bytes = deobfuscate_key(OBFUSCATED_INITIAL_KEY)


@lru_cache(maxsize=64)
def _cipher(key: bytes) -> Cipher[modes.CBC]:
    if len(key) not in (16, 24, 32):
        raise EncodeError(f"AES key must be 16, 24 or 32 bytes, got {len(key)}")
    return Cipher(algorithms.AES(key), modes.CBC(_ZERO_IV))


def encrypt(key: bytes, plain: bytes | bytearray | memoryview) -> bytes:
    """Encrypt one inner frame (PKCS#7 padded; the result is a multiple of 16, >= 16)."""
    pad = _BLOCK - len(plain) % _BLOCK
    encryptor = _cipher(bytes(key)).encryptor()
    head = encryptor.update(plain)
    return head + encryptor.update(bytes((pad,)) * pad) + encryptor.finalize()


def encrypt_padded_into(
    key: bytes, padded: bytes | bytearray | memoryview, out: memoryview
) -> int:
    """Encrypt a plaintext already PKCS#7 padded (spec 1.3) into ``out``; returns the bytes
    written (``len(padded)``).

    ``out`` must be writable and hold ``len(padded) + INTO_SLACK`` bytes; only the first
    ``len(padded)`` are written.

    Raises:
        EncodeError: ``padded`` is not a positive multiple of 16 bytes.
    """
    size = len(padded)
    if size == 0 or size % _BLOCK:
        raise EncodeError(f"padded plaintext of {size} bytes is not a positive multiple of 16")
    encryptor = _cipher(bytes(key)).encryptor()
    written = encryptor.update_into(padded, out)
    # CBC without a padding context holds nothing back: finalize adds no bytes.
    return written + len(encryptor.finalize())


def encrypt_pieces_into(
    key: bytes, pieces: Iterable[bytes | bytearray | memoryview], out: memoryview
) -> Iterator[int]:
    """Encrypt a plaintext given as consecutive pieces of any size (already PKCS#7 padded
    as a whole, spec 1.3) into ``out``, one piece at a time: after each piece, yields how
    many leading bytes of ``out`` now hold final ciphertext. One CBC context runs across
    the pieces, so the ciphertext is that of the joined plaintext, and the plaintext is
    never joined (a 50 MB body is not copied just to put 5 header bytes in front of it).

    ``out`` must hold the whole length + ``INTO_SLACK`` bytes.

    Raises:
        EncodeError: the pieces do not add up to a positive multiple of 16 bytes.
    """
    encryptor = _cipher(bytes(key)).encryptor()
    written = taken = 0
    for piece in pieces:
        n = len(piece)
        taken += n
        # update_into wants room for one block more than it writes (cryptography API)
        written += encryptor.update_into(piece, out[written : written + n + INTO_SLACK])
        yield written
    if taken == 0 or taken % _BLOCK:
        raise EncodeError(f"padded plaintext of {taken} bytes is not a positive multiple of 16")
    encryptor.finalize()


def decrypt(key: bytes, cipher: bytes | bytearray | memoryview) -> memoryview:
    """Decrypt one message and strip the padding.

    Returns a memoryview over the plaintext (no copy of large bodies).

    Raises:
        DecryptionError: length not a positive multiple of 16, or invalid padding (which is
            what a wrong key produces almost always).
    """
    plain, end = decrypt_padded(key, cipher)
    return memoryview(plain)[:end]


def decrypt_padded(
    key: bytes, cipher: bytes | bytearray | memoryview
) -> tuple[bytes | memoryview, int]:
    """:func:`decrypt` without the final slice: the whole plaintext (read-only) and the
    length before its padding, checked as :func:`decrypt` checks it. For a caller that cuts
    the plaintext itself anyway (``frames``: one slice per message, not two).

    Raises:
        DecryptionError: as :func:`decrypt`.
    """
    size = len(cipher)
    if size == 0 or size % _BLOCK:
        raise DecryptionError(f"ciphertext length {size} is not a positive multiple of 16")
    decryptor = _cipher(bytes(key)).decryptor()
    plain: bytes | memoryview
    if size < _INTO_MIN:
        plain = decryptor.update(cipher)
    else:
        # update_into wants room for one block more than it writes (cryptography API)
        buffer = np.empty(size + _BLOCK - 1, np.uint8).data
        written = decryptor.update_into(cipher, buffer)
        plain = buffer[:written].toreadonly()
    decryptor.finalize()
    return plain, _unpadded(plain)


#: PKCS#7 padding of each length (index 0 unused), compared against a plaintext's tail.
_PADDING = tuple(bytes((pad,)) * pad for pad in range(_BLOCK + 1))


def _unpadded(plain: bytes | memoryview) -> int:
    """The length of ``plain`` without its PKCS#7 padding (spec 1.3)."""
    size = len(plain)
    pad = plain[-1]
    if not 1 <= pad <= _BLOCK or plain[size - pad :] != _PADDING[pad]:
        raise DecryptionError("invalid PKCS#7 padding (wrong key or corrupted message)")
    return size - pad


def _unpad(plain: memoryview) -> memoryview:
    return plain[: _unpadded(plain)]


class PieceDecryptor:
    """Decrypts one message that arrives in pieces of any size, as they arrive, into one
    numpy buffer: the same plaintext as :func:`decrypt` of the joined pieces, without ever
    joining them (a 50 MB ``bytes`` join costs more than its decryption), and overlapping
    the decryption of one piece with the arrival of the next (AES runs without the GIL)."""

    __slots__ = ("_buffer", "_decryptor", "_received", "_size", "_written")

    def __init__(self, key: bytes, size: int) -> None:
        """``size``: the whole ciphertext's length (the outer header's length word).

        Raises:
            DecryptionError: ``size`` is not a positive multiple of 16.
        """
        if size <= 0 or size % _BLOCK:
            raise DecryptionError(f"ciphertext length {size} is not a positive multiple of 16")
        self._decryptor = _cipher(bytes(key)).decryptor()
        self._buffer = np.empty(size + _BLOCK - 1, np.uint8).data
        self._size = size
        self._received = 0
        self._written = 0

    def feed(self, piece: bytes | bytearray | memoryview) -> None:
        """Decrypt the next piece of ciphertext (CBC holds back a partial block).

        Raises:
            DecryptionError: more ciphertext than announced.
        """
        n = len(piece)
        if self._received + n > self._size:
            raise DecryptionError(f"more than the {self._size} ciphertext bytes announced")
        self._received += n
        at = self._written
        self._written += self._decryptor.update_into(piece, self._buffer[at : at + n + INTO_SLACK])

    def finish(self) -> memoryview:
        """The plaintext, padding stripped (read-only).

        Raises:
            DecryptionError: fewer bytes than announced, or invalid padding.
        """
        if self._received != self._size:
            raise DecryptionError(f"{self._received} of {self._size} ciphertext bytes arrived")
        self._decryptor.finalize()
        return _unpad(self._buffer[: self._written].toreadonly())
