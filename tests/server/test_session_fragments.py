"""Large answers leave as WebSocket fragments and arrive as the one message the protocol defines.

The writer sends a message above 1 MiB as fragments (``Session._send_one``: asyncio's
transport copes badly with one huge frame, and each fragment of an answer is encrypted just
before it leaves); a peer's WebSocket layer joins them (RFC 6455 5.4). Here the fragments
themselves are observed with ``recv_streaming``, and the joined message must decode.
"""

from __future__ import annotations

import time

import numpy as np
from simwire import WireClient

from MetaTrader5.protocol.bulk import decode_bars
from MetaTrader5.protocol.connection import Event, Response
from MetaTrader5.protocol.messages.market import encode_rates_request
from MetaTrader5.protocol.schemas.market import RatesRequest

_MIB = 1024 * 1024


def _answer_fragments(wire: WireClient, command: int, payload: bytes) -> tuple[list[bytes], Event]:
    wire.ws.send(wire.conn.send_request(command, payload))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fragments = [f for f in wire.ws.recv_streaming() if isinstance(f, bytes)]
        (event,) = wire.conn.receive_data(b"".join(fragments))
        if isinstance(event, Response) and event.command == command:
            return fragments, event
    raise TimeoutError(f"no answer to command {command}")


def test_large_answer_is_fragmented_and_whole(logged_in: WireClient) -> None:
    now = int(time.time())
    payload = encode_rates_request(RatesRequest("EURUSD", 1, now - 40 * 86_400, now))
    fragments, answer = _answer_fragments(logged_in, 11, payload)
    assert isinstance(answer, Response) and answer.code == 0
    total = sum(len(f) for f in fragments)
    assert total > 2 * _MIB
    # websockets closes a fragmented message with an empty final frame
    data = [f for f in fragments if f]
    # 1 MiB of ciphertext each; the first one also carries the 8-byte outer header
    assert len(data) == -(-(total - 8) // _MIB) and len(fragments) <= len(data) + 1
    assert len(data[0]) == _MIB + 8 and all(len(f) == _MIB for f in data[1:-1])
    bars = decode_bars(answer.body)
    assert len(bars) > 20_000
    assert np.all(np.diff(bars["time"]) > 0)
    assert bars["time"][0] >= now - 40 * 86_400


def test_small_answer_is_one_frame(logged_in: WireClient) -> None:
    now = int(time.time())
    payload = encode_rates_request(RatesRequest("EURUSD", 1, now - 3_600, now))
    fragments, answer = _answer_fragments(logged_in, 11, payload)
    assert isinstance(answer, Response) and answer.code == 0
    assert len(fragments) == 1 and 0 < len(decode_bars(answer.body)) <= 61
