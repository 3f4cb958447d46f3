"""Fuzz every decode entry point with random bytes: only ProtocolError may escape."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from MetaTrader5.protocol import bulk, crypto, extension, frames, messages
from MetaTrader5.protocol.connection import ClientConnection, ServerConnection
from MetaTrader5.protocol.exceptions import ProtocolError
from MetaTrader5.protocol.schemas import ALL_RECORDS

KEY = bytes(16)


def _client_receive(data: bytes) -> Any:
    conn = ClientConnection()
    conn.start()
    return conn.receive_data(data)


ENTRY_POINTS: dict[str, Callable[[bytes], Any]] = {
    **{f"request_{k}": v for k, v in messages.REQUEST_DECODERS.items()},
    **{f"response_{k}": v for k, v in messages.RESPONSE_DECODERS.items()},
    **{f"push_{k}": v for k, v in messages.PUSH_DECODERS.items()},
    **{f"record_{c.__name__}": c.decode for c in ALL_RECORDS},
    "decrypt": lambda d: crypto.decrypt(KEY, d),
    "outer": frames.unpack_outer,
    "client_inner": frames.unpack_client_inner,
    "server_inner": frames.unpack_server_inner,
    "server_message": lambda d: frames.decode_server_message(KEY, d),
    "bulk_bars": bulk.decode_bars,
    "bulk_ticks": bulk.decode_ticks,
    "bulk_positions": bulk.decode_positions_orders_arrays,
    "bulk_history": bulk.decode_history_arrays,
    "bulk_symbols": bulk.decode_symbols_array,
    "ext_hello": extension.decode_extension_hello,
    "ext_request": extension.decode_tick_history_request,
    "ext_ticks": extension.decode_tick_history,
    "client_receive": _client_receive,
    "server_receive": lambda d: ServerConnection().receive_data(d),
}


def _run(decode: Callable[[bytes], Any], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode(data)


# Bodies that start like real ones reach deeper code than uniform random bytes.
_bodies = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda n, tail: n.to_bytes(4, "little") + tail,
              st.integers(0, 5), st.binary(max_size=4000)),
)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_fuzz(name: str) -> None:
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_bodies)
    def check(data: bytes) -> None:
        _run(ENTRY_POINTS[name], data)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_fuzz_slow(name: str) -> None:
    @settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_bodies)
    def check(data: bytes) -> None:
        _run(ENTRY_POINTS[name], data)

    check()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_encrypted_bodies(body: bytes) -> None:
    """Valid frames with random bodies, through every response and push decoder."""
    for table in (messages.RESPONSE_DECODERS, messages.PUSH_DECODERS):
        for decode in table.values():
            frame = frames.decode_server_message(
                KEY, frames.encode_server_message(KEY, 3, 0, body, b"\0\0"))
            _run(decode, bytes(frame.body))
