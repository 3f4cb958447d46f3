"""The preallocated-buffer path of large server messages must give the very bytes of the plain
path (inner frame, PKCS#7, AES-CBC, outer frame built by concatenation; spec 1.2-1.4)."""

from __future__ import annotations

import asyncio
import itertools
import random

import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from MetaTrader5.protocol import crypto, frames
from MetaTrader5.protocol.exceptions import EncodeError

LARGE = frames._LARGE_BODY
KEY = bytes(range(32))


def plain_path(key: bytes, command: int, code: int, body: frames.Buffer, salt: bytes) -> bytes:
    """The reference: the public building blocks, composed by concatenation."""
    inner = frames.pack_server_inner(command, code, body, salt)
    return frames.pack_outer(crypto.encrypt(key, inner))


def _body(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


@pytest.mark.parametrize("size", range(LARGE - 24, LARGE + 24))
def test_sizes_around_threshold_match_plain_path(size: int) -> None:
    # 48 consecutive sizes cover every padding length (1..16) on both sides of the threshold
    body = _body(random.Random(size), size)
    expected = plain_path(KEY, 11, 0, body, b"\x12\x34")
    assert frames.encode_server_message(KEY, 11, 0, body, b"\x12\x34") == expected
    wire = frames.encode_server_buffer(KEY, 11, 0, body, b"\x12\x34")
    assert bytes(wire) == expected
    assert isinstance(wire, memoryview) == (size >= LARGE)


def test_random_bodies_keys_and_headers_match_and_round_trip() -> None:
    rng = random.Random(20240611)
    for _ in range(12):
        key = rng.randbytes(rng.choice((16, 24, 32)))
        size = rng.randrange(LARGE, 6 * LARGE)
        body = _body(rng, size)
        command, code, salt = rng.randrange(0x10000), rng.randrange(0x100), rng.randbytes(2)
        expected = plain_path(key, command, code, body, salt)
        wire = frames.encode_server_buffer(key, command, code, body, salt)
        assert bytes(wire) == expected
        assert frames.encode_server_message(key, command, code, body, salt) == expected
        frame = frames.decode_server_message(key, wire)
        assert (frame.salt, frame.command, frame.code) == (salt, command, code)
        assert frame.body == body


def test_large_wire_is_an_exact_readonly_outer_frame() -> None:
    body = bytes(LARGE + 3)  # inner 5 + LARGE + 3: 8 bytes into a block, 8 of padding
    wire = frames.encode_server_buffer(KEY, 30002, 0, body, b"\0\0")
    assert isinstance(wire, memoryview) and wire.readonly
    padded = 5 + len(body) + 8
    assert len(wire) == frames.OUTER_HEADER_SIZE + padded
    assert len(frames.unpack_outer(wire)) == padded
    assert bytes(wire[4:8]) == (1).to_bytes(4, "little")  # spec 1.2 version word


def test_every_buffer_kind_of_body() -> None:
    rng = np.random.default_rng(7)
    records = rng.integers(0, 2**31, size=(LARGE // 12 + 5, 3), dtype=np.int32)
    structured = records.view([("a", "<i4"), ("b", "<i4"), ("c", "<i4")]).reshape(-1)
    raw = rng.integers(0, 256, LARGE + 77, dtype=np.uint8)
    bodies: list[frames.Buffer] = [
        bytearray(raw.tobytes()),
        raw.data,
        memoryview(raw.tobytes())[5:],  # offset view
        structured.data,  # format "T{...}": len() counts records, not bytes
        records.data,  # 2-D
        raw[::2].data,  # not contiguous: the plain path copies it
    ]
    for body in bodies:
        expected = plain_path(KEY, 11, 1, body, b"ab")
        assert bytes(frames.encode_server_buffer(KEY, 11, 1, body, b"ab")) == expected
        frame = frames.decode_server_message(KEY, frames.encode_server_message(KEY, 11, 1, body))
        assert frame.body == memoryview(body).tobytes()


def test_fast_path_rejects_what_the_plain_path_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    body = bytes(LARGE)
    with pytest.raises(EncodeError):
        frames.encode_server_buffer(KEY, 0x10000, 0, body)
    with pytest.raises(EncodeError):
        frames.encode_server_buffer(KEY, 11, 256, body)
    with pytest.raises(EncodeError):
        frames.encode_server_buffer(KEY, 11, 0, body, b"abc")
    with pytest.raises(EncodeError):
        frames.encode_server_buffer(b"short", 11, 0, body)
    monkeypatch.setattr(frames, "MAX_MESSAGE_SIZE", LARGE)
    with pytest.raises(EncodeError):
        frames.encode_server_buffer(KEY, 11, 0, body)
    with pytest.raises(EncodeError):
        plain_path(KEY, 11, 0, body, b"\0\0")


def test_encrypt_padded_into_matches_encrypt() -> None:
    plain = random.Random(3).randbytes(1000)
    pad = 16 - len(plain) % 16
    padded = plain + bytes((pad,)) * pad
    out = bytearray(len(padded) + crypto.INTO_SLACK)
    assert crypto.encrypt_padded_into(KEY, padded, memoryview(out)) == len(padded)
    assert bytes(out[: len(padded)]) == crypto.encrypt(KEY, plain)
    with pytest.raises(EncodeError):
        crypto.encrypt_padded_into(KEY, padded[:-1], memoryview(out))
    with pytest.raises(EncodeError):
        crypto.encrypt_padded_into(KEY, b"", memoryview(out))


def test_websockets_sends_the_memoryview_as_one_binary_message() -> None:
    body = random.Random(5).randbytes(3 * LARGE)
    wire = frames.encode_server_buffer(KEY, 11, 0, body, b"\0\0")
    assert isinstance(wire, memoryview)

    async def handler(ws: ServerConnection) -> None:
        await ws.send(wire)
        await ws.wait_closed()

    async def run() -> bytes | str:
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            async with connect(f"ws://127.0.0.1:{port}", max_size=None) as client:
                return await asyncio.wait_for(client.recv(), 5)

    received = asyncio.run(run())
    assert received == bytes(wire)
    assert frames.decode_server_message(KEY, received).body == body


@pytest.mark.parametrize(
    ("size", "chunk"),
    [(LARGE, 16), (LARGE, LARGE), (LARGE + 1, LARGE), (3 * LARGE + 77, LARGE),
     (5 * LARGE, 4096), (2 * LARGE - 5, 1 << 20), (LARGE, 1000)],
)  # fmt: skip
def test_chunks_join_to_the_plain_path(size: int, chunk: int) -> None:
    body = random.Random(size ^ chunk).randbytes(size)
    message = frames.encode_server_chunks(KEY, 30002, 3, body, b"\x07\x08", chunk=chunk)
    expected = plain_path(KEY, 30002, 3, body, b"\x07\x08")
    assert len(message) == len(expected)
    if size <= chunk:
        assert not isinstance(message, frames.ServerChunks)
        assert bytes(message) == expected
        return
    assert isinstance(message, frames.ServerChunks)
    pieces = list(message)
    assert b"".join(pieces) == expected
    assert all(p.readonly for p in pieces)
    step = chunk - chunk % 16
    # every piece but the last is one chunk of ciphertext, the first also holds the header
    assert [len(p) for p in pieces[1:-1]] == [step] * (len(pieces) - 2)
    assert len(pieces[0]) == frames.OUTER_HEADER_SIZE + step
    with pytest.raises(EncodeError):
        list(message)  # once only: the buffer is the one just sent


def test_chunks_check_everything_before_iterating() -> None:
    body = bytes(3 * LARGE)
    with pytest.raises(EncodeError):
        frames.encode_server_chunks(KEY, 0x10000, 0, body, chunk=LARGE)
    with pytest.raises(EncodeError):
        frames.encode_server_chunks(KEY, 11, 256, body, chunk=LARGE)
    with pytest.raises(EncodeError):
        frames.encode_server_chunks(KEY, 11, 0, body, b"abc", chunk=LARGE)
    out = memoryview(bytearray(80))
    with pytest.raises(EncodeError):
        list(crypto.encrypt_pieces_into(KEY, [bytes(30), bytes(33)], out))  # not padded
    with pytest.raises(EncodeError):
        list(crypto.encrypt_pieces_into(KEY, [], out))


def test_pieces_of_any_size_encrypt_like_one_buffer() -> None:
    rng = random.Random(11)
    for _ in range(30):
        plain = rng.randbytes(16 * rng.randrange(1, 200))
        cuts = sorted(rng.randrange(len(plain) + 1) for _ in range(rng.randrange(6)))
        edges = [0, *cuts, len(plain)]
        pieces = [plain[a:b] for a, b in itertools.pairwise(edges)]
        out = bytearray(len(plain) + crypto.INTO_SLACK)
        progress = list(crypto.encrypt_pieces_into(KEY, pieces, memoryview(out)))
        assert progress == sorted(progress) and progress[-1] == len(plain)
        assert all(p % 16 == 0 for p in progress)
        expected = bytearray(len(plain) + crypto.INTO_SLACK)
        crypto.encrypt_padded_into(KEY, plain, memoryview(expected))
        assert out[: len(plain)] == expected[: len(plain)]
