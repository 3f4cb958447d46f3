"""The fused receive path (issue 8, P3) equals its plain definition (spec 1.2 - 1.6).

* ``frames.decode_server_parts`` / ``decode_server_message`` against the composition they
  replace, ``unpack_server_inner(decrypt(key, unpack_outer(message)))`` written out with the
  plain PKCS#7 rule: same fields, same body bytes, and for damaged messages the same error
  type and text;
* ``crypto.decrypt`` / ``decrypt_padded`` against the plain padding rule;
* ``ClientConnection.receive_data`` after the bootstrap against ``receive_frame`` of the
  decoded frame: same events, same requests left in flight, same errors.
"""

from __future__ import annotations

import dataclasses
import random
import re
import struct
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5.protocol import ClientConnection, Command, ServerConnection, crypto, frames
from MetaTrader5.protocol.exceptions import DecryptionError, FrameError, ProtocolError
from MetaTrader5.protocol.extension import ExtensionHello, encode_extension_hello

KEY = bytes(range(16))


def _plain_decrypt(key: bytes, cipher: bytes) -> bytes:
    """AES-CBC, zero IV, then the PKCS#7 rule of spec 1.3 spelled out."""
    if not cipher or len(cipher) % 16:
        raise DecryptionError(f"ciphertext length {len(cipher)} is not a positive multiple of 16")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).decryptor()
    plain = decryptor.update(cipher) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 16 or any(b != pad for b in plain[-pad:]):
        raise DecryptionError("invalid PKCS#7 padding (wrong key or corrupted message)")
    return plain[:-pad]


def _plain_decode(key: bytes, message: bytes) -> tuple[bytes, int, int, bytes]:
    """spec 1.2 outer frame, 1.3 AES, 1.4 server inner frame, one step after the other."""
    if len(message) < 8:
        raise FrameError(f"outer frame: {len(message)} bytes, need at least 8")
    (length,) = struct.unpack_from("<I", message)
    if length != len(message) - 8:
        raise FrameError(f"outer frame: length word says {length} bytes, {len(message) - 8} follow")
    plain = _plain_decrypt(key, message[8:])
    if len(plain) < 5:
        raise FrameError(f"server inner frame: {len(plain)} bytes, need at least 5")
    salt, command, code = struct.unpack_from("<2sHB", plain)
    return salt, command, code, plain[5:]


def _outcome(decode: Any, message: bytes) -> tuple[Any, ...]:
    try:
        return ("ok", *decode(message))
    except ProtocolError as exc:
        return ("error", type(exc), str(exc))


def _encrypt_raw(plain: bytes) -> bytes:
    """AES-CBC of ``plain`` with no padding added (``plain`` a multiple of 16)."""
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(bytes(16))).encryptor()
    return encryptor.update(plain) + encryptor.finalize()


@st.composite
def _messages(draw: st.DrawFn) -> bytes:
    """Valid server messages, and ones damaged at every layer."""
    size = draw(st.sampled_from([0, 1, 11, 16, 100, 5000, 70_000]))
    body = random.Random(size).randbytes(size)
    command, code = draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 255))
    message = frames.encode_server_message(KEY, command, code, body, b"\x01\x02")
    damage = draw(st.sampled_from(["none", "cut", "length", "flip", "short", "padding",
                                   "inner", "empty"]))  # fmt: skip
    if damage == "cut":
        return message[: draw(st.integers(0, len(message) - 1))]
    if damage == "length":
        return struct.pack("<I", len(message) - 8 + draw(st.integers(1, 40))) + message[4:]
    if damage == "flip":
        at = draw(st.integers(8, len(message) - 1))
        return message[:at] + bytes((message[at] ^ 0x5A,)) + message[at + 1 :]
    if damage == "short":  # a length word and ciphertext that are not a multiple of 16
        tail = message[8 : 8 + draw(st.integers(1, 15))]
        return struct.pack("<II", len(tail), 1) + tail
    if damage == "padding":  # valid AES, last byte outside 1..16 or an inconsistent tail
        padded = bytearray(random.Random(size).randbytes(32))
        padded[-1] = draw(st.sampled_from([0, 17, 200, 4]))
        cipher = _encrypt_raw(bytes(padded))
        return struct.pack("<II", len(cipher), 1) + cipher
    if damage == "inner":  # padding fine, fewer than 5 bytes of inner frame
        keep = draw(st.integers(0, 4))
        plain = bytes(keep) + bytes((16 - keep,)) * (16 - keep)
        cipher = _encrypt_raw(plain)
        return struct.pack("<II", len(cipher), 1) + cipher
    if damage == "empty":
        return struct.pack("<II", 0, 1)
    return message


@settings(max_examples=300, deadline=None)
@given(_messages())
def test_fused_decode_equals_the_plain_steps(message: bytes) -> None:
    expected = _outcome(lambda m: _plain_decode(KEY, m), message)

    def message_fields(m: bytes) -> tuple[Any, ...]:
        frame = frames.decode_server_message(KEY, m)
        assert isinstance(frame.body, memoryview) and frame.body.readonly
        return frame.salt, frame.command, frame.code, bytes(frame.body)

    def parts_fields(m: bytes) -> tuple[Any, ...]:
        command, code, body = frames.decode_server_parts(KEY, m)
        assert isinstance(body, memoryview) and body.readonly
        return b"\x01\x02", command, code, bytes(body)

    def composed_fields(m: bytes) -> tuple[Any, ...]:
        frame = frames.unpack_server_inner(crypto.decrypt(KEY, frames.unpack_outer(m)))
        return frame.salt, frame.command, frame.code, bytes(frame.body)

    assert _outcome(message_fields, message) == expected
    assert _outcome(composed_fields, message) == expected
    parts = _outcome(parts_fields, message)
    if expected[0] == "ok":
        assert parts[2:] == expected[2:]  # no salt from the parts
    else:
        assert parts == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=100), st.sampled_from([0, 1, 15, 16, 17, 32, 70_000]))
def test_decrypt_equals_the_plain_padding_rule(head: bytes, extra: int) -> None:
    cipher = crypto.encrypt(KEY, head + bytes(extra))
    assert bytes(crypto.decrypt(KEY, cipher)) == _plain_decrypt(KEY, cipher) == head + bytes(extra)
    plain, end = crypto.decrypt_padded(KEY, cipher)
    assert len(plain) == len(cipher) and bytes(memoryview(plain)[:end]) == head + bytes(extra)
    for bad in (cipher[:-1], b"", cipher[:16] + bytes(16)):
        try:
            _plain_decrypt(KEY, bad)
        except DecryptionError as exc:
            with pytest.raises(DecryptionError, match=re.escape(str(exc))):
                crypto.decrypt(KEY, bad)
        else:
            assert bytes(crypto.decrypt(KEY, bad)) == _plain_decrypt(KEY, bad)


def _pair(logged_in: bool) -> tuple[ClientConnection, ServerConnection]:
    client, server = ClientConnection(), ServerConnection()
    server.receive_data(client.start())
    client.receive_data(server.accept_bootstrap(bytes(64), KEY, 5687))
    if logged_in:
        client.mark_logged_in()
        server.mark_logged_in()
    return client, server


def _events(events: list[Any]) -> list[tuple[Any, ...]]:
    """Events as comparable tuples (type, fields; memoryview bodies as bytes)."""
    return [
        (type(e), *(bytes(v) if isinstance(v, memoryview) else v
                    for v in (getattr(e, f.name) for f in dataclasses.fields(e))))
        for e in events
    ]  # fmt: skip


_COMMANDS = [Command.TICKS, Command.SUBSCRIBE_TICKS, Command.LOGIN, Command.BOOTSTRAP,
             Command.EXTENSION_HELLO, 16, 999, 0xFFFF]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.booleans(),
       st.lists(st.tuples(st.sampled_from(_COMMANDS), st.booleans(), st.integers(0, 255)),
                max_size=12))  # fmt: skip
def test_receive_data_equals_receive_frame(logged_in: bool,
                                           steps: list[tuple[int, bool, int]]) -> None:  # fmt: skip
    fast, _ = _pair(logged_in)
    plain, _ = _pair(logged_in)
    for command, request_first, code in steps:
        if request_first and command not in (Command.BOOTSTRAP, Command.EXTENSION_HELLO, 16,
                                             999, 0xFFFF):  # fmt: skip
            fast.send_request(command)
            plain.send_request(command)
        body = (encode_extension_hello(ExtensionHello(1, 1))
                if command == Command.EXTENSION_HELLO else bytes(code))  # fmt: skip
        message = frames.encode_server_message(KEY, command, code, body)
        got = _outcome(lambda m: _events(fast.receive_data(m)), message)
        want = _outcome(
            lambda m: _events(plain.receive_frame(frames.decode_server_message(KEY, m))), message
        )
        assert got == want
        for c in _COMMANDS:
            assert fast.in_flight(c) == plain.in_flight(c)
        assert fast.extension_capabilities == plain.extension_capabilities


def test_receive_data_still_refuses_before_start_and_after_close() -> None:
    message = frames.encode_server_message(KEY, Command.TICKS, 0, b"")
    with pytest.raises(ProtocolError, match="before start"):
        ClientConnection().receive_data(message)
    client, _ = _pair(True)
    client.close()
    with pytest.raises(ProtocolError, match="cannot receive in state closed"):
        client.receive_data(message)
