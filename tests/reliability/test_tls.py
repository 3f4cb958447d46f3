"""TLS: certificates are verified by default; opting out is explicit and logged.

A ``wss://`` simulator serves a self-signed certificate generated here with ``cryptography``.
The module API and the async client must refuse it by default; the client connects with an
explicit ``verify_tls=False`` (and logs a warning) or with a context that trusts the cert.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.client import WebTerminalClient
from MetaTrader5.client.errors import ClientConnectionError
from MetaTrader5.server import SimulatorHandle, start_simulator

from .conftest import LOGIN, PASSWORD


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimulatorHandle, Path]]:
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    handle = start_simulator(host="127.0.0.1", port=0, certfile=cert, keyfile=key)
    assert handle.url.startswith("wss://")
    yield handle, cert
    handle.stop()


def test_module_refuses_an_untrusted_certificate(tls_sim: tuple[SimulatorHandle, Path]) -> None:
    sim, _cert = tls_sim
    terminal = mt5.Terminal()
    assert terminal.initialize(path=sim.url, login=LOGIN, password=PASSWORD, timeout=5000) is False
    code, text = terminal.last_error()
    assert code in (-10003, -10004, -10002), (code, text)
    terminal.shutdown()


async def _open(url: str, **options: Any) -> str:
    client = WebTerminalClient(
        url, login=LOGIN, password=PASSWORD, reconnect=False, connect_timeout=5.0, **options
    )
    await client.open()
    try:
        return (await client.account_info()).server
    finally:
        await client.close()


def test_client_refuses_by_default(tls_sim: tuple[SimulatorHandle, Path]) -> None:
    sim, _cert = tls_sim
    with pytest.raises(ClientConnectionError) as caught:
        asyncio.run(asyncio.wait_for(_open(sim.url), 20))
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or \
        "certificate" in str(caught.value).lower()  # fmt: skip


def test_explicit_opt_out_connects_and_warns(
    tls_sim: tuple[SimulatorHandle, Path], caplog: pytest.LogCaptureFixture
) -> None:
    sim, _cert = tls_sim
    caplog.set_level(logging.WARNING, "MetaTrader5.client")
    assert asyncio.run(asyncio.wait_for(_open(sim.url, verify_tls=False), 20))
    assert any("verification is DISABLED" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)  # fmt: skip


def test_a_context_trusting_the_cert_connects(tls_sim: tuple[SimulatorHandle, Path]) -> None:
    sim, cert = tls_sim
    context = ssl.create_default_context(cafile=str(cert))
    assert asyncio.run(asyncio.wait_for(_open(sim.url, ssl_context=context), 20))
