"""The server's lifecycles: sync handle, async context manager, TLS, state across restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import ssl
import struct
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from simwire import DEMO_LOGIN, WireClient, make_config, trade_request
from websockets.asyncio.client import connect as async_connect

from MetaTrader5.protocol import crypto, frames
from MetaTrader5.protocol.messages.trading import (
    decode_history,
    decode_positions_orders,
    decode_trade_result,
)
from MetaTrader5.server import SimulatorServer, start_simulator
from MetaTrader5.server.app import is_loopback


def test_handle_url_and_idempotent_stop() -> None:
    handle = start_simulator(make_config())
    try:
        assert handle.url.startswith("ws://127.0.0.1:")
        assert handle.url.endswith("/terminal")
        port = int(handle.url.rsplit(":", 1)[1].split("/")[0])
        assert port > 0
        wire = WireClient(handle.url)
        boot = wire.bootstrap()
        assert len(boot.token) == 64 and len(boot.session_key) == 16
        wire.close()
    finally:
        handle.stop()
    handle.stop()  # second stop is a no-op


def test_two_servers_get_different_ports() -> None:
    with start_simulator(make_config()) as one, start_simulator(make_config()) as two:
        assert one.url != two.url


def test_async_context_manager() -> None:
    async def scenario() -> bytes:
        async with SimulatorServer(make_config()) as server:
            assert server.url.startswith("ws://127.0.0.1:")
            async with async_connect(server.url) as ws:
                await ws.send(frames.encode_client_message(crypto.INITIAL_KEY, 0, bytes(64)))
                reply = await asyncio.wait_for(ws.recv(), 5)
                assert isinstance(reply, bytes)
                return bytes(frames.decode_server_message(crypto.INITIAL_KEY, reply).body)
        raise AssertionError("unreachable")

    body = asyncio.run(scenario())
    assert len(body) == 82


def test_loopback_detection_and_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    caplog.set_level(logging.WARNING, logger="MetaTrader5.server")
    with start_simulator(make_config()):
        pass
    assert "reachable from other machines" not in caplog.text


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def test_tls(tmp_path: Path) -> None:
    from websockets.sync.client import connect

    certfile, keyfile = _self_signed(tmp_path)
    with start_simulator(make_config(), certfile=certfile, keyfile=keyfile) as handle:
        assert handle.url.startswith("wss://127.0.0.1:")
        trust = ssl.create_default_context(cafile=str(certfile))
        with connect(handle.url, ssl=trust, open_timeout=5) as ws:
            ws.send(frames.encode_client_message(crypto.INITIAL_KEY, 0, bytes(64)))
            reply = ws.recv(5)
            assert isinstance(reply, bytes)
            frame = frames.decode_server_message(crypto.INITIAL_KEY, reply)
            assert frame.command == 0 and frame.code == 0


def _open_position(url: str) -> int:
    wire = WireClient(url)
    try:
        assert wire.login().code == 0
        request = trade_request(
            action_id=77, trade_action=3, trade_symbol="EURUSD", volume=10_000_000,
            digits=5, type=0, type_filling=1,
        )
        answer = wire.request(12, request)
        assert struct.unpack("<I", bytes(answer.body[:4]))[0] == 0
        result = decode_trade_result(wire.take_push(19).body)
        assert result.result.retcode == 10009
        return int(result.result.order)
    finally:
        wire.close()


def test_restart_with_state_keeps_positions(tmp_path: Path) -> None:
    state = tmp_path / "sim-state.json"
    with start_simulator(make_config(), state_file=state) as handle:
        ticket = _open_position(handle.url)
    assert state.exists()
    with start_simulator(make_config(), state_file=state) as handle:
        wire = WireClient(handle.url)
        try:
            assert wire.login().code == 0
            book = decode_positions_orders(wire.request(4).body)
            assert [p.position_id for p in book.positions] == [ticket]
            assert book.orders == ()
            history = decode_history(wire.request(5, struct.pack("<ii", 0, 0)).body)
            assert ticket in {d.order for d in history.deals}
        finally:
            wire.close()
        # the ticket sequences carry on instead of starting over
        assert handle.server.context.engine.tickets.next_order > ticket
    assert DEMO_LOGIN in {a.login for a in make_config().accounts}


def test_state_is_saved_periodically(tmp_path: Path) -> None:
    state = tmp_path / "periodic.json"

    async def scenario() -> bool:
        async with SimulatorServer(make_config(), state_file=state, state_save_interval=0.1):
            await asyncio.sleep(0.4)
            return state.exists()

    assert asyncio.run(scenario())
    assert str(DEMO_LOGIN) in state.read_text()


def test_binding_beyond_loopback_warns_loudly(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="MetaTrader5.server")

    async def scenario() -> None:
        # 192.0.2.1 (TEST-NET-1) is never a local address: the bind fails after the warning,
        # so no port is ever opened beyond loopback by this test.
        server = SimulatorServer(make_config(), host="192.0.2.1")
        try:
            await server.start()
        finally:
            await server.stop()

    with pytest.raises(OSError):
        asyncio.run(scenario())
    assert "reachable from other machines" in caplog.text
