"""A server message decoded piece by piece (WebSocket fragments) must decode exactly like the
joined message, and fail where the joined message fails (spec 1.2-1.4)."""

from __future__ import annotations

import itertools
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5.protocol import (
    ClientConnection,
    Command,
    Response,
    ServerConnection,
    crypto,
    frames,
)
from MetaTrader5.protocol.exceptions import DecryptionError, FrameError

KEY = bytes(range(16))


def _split(message: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(message)) for c in cuts})
    edges = [0, *points, len(message)]
    return [message[a:b] for a, b in itertools.pairwise(edges)]


def _pieces_decode(message: bytes, cuts: list[int]) -> frames.ServerFrame:
    pieces = frames.ServerMessagePieces(KEY)
    for piece in _split(message, cuts):
        pieces.feed(piece)
    return pieces.finish()


@settings(max_examples=150, deadline=None)
@given(size=st.integers(0, 5000), code=st.integers(0, 255), command=st.integers(0, 0xFFFF),
       cuts=st.lists(st.integers(0, 5100), max_size=12))  # fmt: skip
def test_pieces_decode_like_the_joined_message(size: int, code: int, command: int,
                                               cuts: list[int]) -> None:  # fmt: skip
    body = random.Random(size).randbytes(size)
    message = frames.encode_server_message(KEY, command, code, body, b"zq")
    frame = _pieces_decode(message, cuts)
    assert frame == frames.decode_server_message(KEY, message)
    assert (frame.salt, frame.command, frame.code, bytes(frame.body)) == (b"zq", command, code,
                                                                          body)  # fmt: skip


def test_large_message_in_server_chunks_round_trips() -> None:
    body = random.Random(1).randbytes(3_000_000)
    chunks = frames.encode_server_chunks(KEY, 30002, 0, body, b"ab", chunk=1 << 20)
    assert isinstance(chunks, frames.ServerChunks)
    pieces = frames.ServerMessagePieces(KEY)
    for chunk in chunks:
        pieces.feed(chunk)
    pieces.feed(b"")  # websockets ends a fragmented message with an empty frame
    assert pieces.finish().body == body


def test_bad_pieces_fail_like_the_joined_message() -> None:
    # a fixed salt: a wrong key gives bad padding for this message (for a random one it
    # does "almost always", which is not good enough for a test)
    message = frames.encode_server_message(KEY, 11, 0, bytes(100), b"ok")
    with pytest.raises(FrameError):
        _pieces_decode(message[:5], [2])  # shorter than the outer header
    with pytest.raises(FrameError):
        _pieces_decode(message[:-16], [9, 40])  # fewer bytes than the length word says
    with pytest.raises(FrameError):
        _pieces_decode(message + bytes(16), [50])  # more
    wrong_length = struct.pack("<II", 100, 1) + message[8:]
    with pytest.raises(DecryptionError):
        _pieces_decode(wrong_length, [])  # not whole AES blocks
    huge = struct.pack("<II", 2**31, 1)
    with pytest.raises(FrameError):
        _pieces_decode(huge, [])
    wrong_key = frames.ServerMessagePieces(bytes(16))
    wrong_key.feed(message)
    with pytest.raises(DecryptionError):
        wrong_key.finish()  # bad padding (what a wrong key gives almost always)
    decryptor = crypto.PieceDecryptor(KEY, 32)
    with pytest.raises(DecryptionError):
        decryptor.feed(bytes(48))


def test_connection_counts_a_pieced_answer_like_a_whole_one() -> None:
    client, server = ClientConnection(), ServerConnection()
    server.receive_data(client.start())
    client.receive_data(server.accept_bootstrap(bytes(64), KEY, 5687))
    server.receive_data(client.send_request(Command.RATES, b"q"))
    assert client.in_flight(Command.RATES) == 1
    answer = server.send_response(Command.RATES, 0, bytes(200_000), chunk=65_536)
    assert isinstance(answer, frames.ServerChunks)
    pieces = client.message_pieces()
    for chunk in answer:
        pieces.feed(chunk)
    (event,) = client.receive_frame(pieces.finish())
    assert isinstance(event, Response) and event.command == Command.RATES
    assert bytes(event.body) == bytes(200_000) and client.in_flight(Command.RATES) == 0
