"""Protective limits (``server/limits.py``), each over a real loopback socket."""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Iterator

import pytest
from simwire import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    NETTING_LOGIN,
    NETTING_PASSWORD,
    WireClient,
    make_config,
    manual_clock,
    trade_request,
)
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from MetaTrader5.server import SimulatorHandle, start_simulator
from MetaTrader5.server.config import ConfigError, parse_config
from MetaTrader5.server.limits import Limits, parse_limits

#: 2026-07-15 10:00:00 UTC.
T0 = 1_784_109_600_000


def _closed(wire: WireClient, timeout: float = 3.0) -> ConnectionClosed:
    """Read until the server closes the connection; the close frame it sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            wire.ws.recv(max(deadline - time.monotonic(), 0.01))
        except ConnectionClosed as exc:
            return exc
        except TimeoutError:
            break
    raise AssertionError("the server kept the connection open")


@pytest.fixture
def limited() -> Iterator[SimulatorHandle]:
    """A simulator with deliberately small limits (each test overrides what it needs)."""
    handle = start_simulator(
        make_config(),
        limits=Limits(
            max_message_bytes=8192,
            max_request_bytes=1024,
            max_sessions=2,
            requests_per_second=1.0,
            request_burst=4,
            handshake_timeout=0.4,
            idle_timeout=0.8,
        ),
    )
    try:
        yield handle
    finally:
        handle.stop()


# --- the dataclass and its configuration ----------------------------------------------------


def test_defaults_validation_and_the_toml_table() -> None:
    limits = Limits()
    assert limits.max_request_bytes <= limits.max_message_bytes
    assert limits.max_sessions >= 200 and limits.requests_per_second >= 100
    assert limits.login_failures_per_account == 5 and limits.idle_timeout > 15
    for bad in ({"max_sessions": -1}, {"max_request_bytes": 2 << 20},
                {"idle_timeout": "60"}, {"max_message_bytes": 0}):
        with pytest.raises(ValueError):
            Limits(**bad)
    assert parse_limits({"max_sessions": 5, "idle_timeout": 2.5}) == Limits(
        max_sessions=5, idle_timeout=2.5
    )
    with pytest.raises(ValueError, match="max_sessions must be an integer"):
        parse_limits({"max_sessions": 2.5})
    config = parse_config("[limits]\nrequests_per_second = 20\nlogin_failures_per_peer = 3\n")
    assert config.limits == Limits(requests_per_second=20, login_failures_per_peer=3)
    assert parse_config("").limits == Limits()
    with pytest.raises(ConfigError, match=r"my\.toml: \[limits\]: unknown key 'max_sesions'"):
        parse_config("[limits]\nmax_sesions = 3\n", "my.toml")
    with pytest.raises(ConfigError, match="must be >= 0"):
        parse_config("[limits]\nidle_timeout = -1\n", "my.toml")


# --- frame size ---------------------------------------------------------------------------


def test_request_over_our_limit_closes_with_1009(limited: SimulatorHandle) -> None:
    wire = WireClient(limited.url)
    try:
        assert wire.login().code == 0  # a 912-byte login is within 1024
        wire.send(51, bytes(2000))  # 2 KB payload: fits the transport's 8 KB, not our 1 KB
        closed = _closed(wire)
        assert closed.rcvd is not None and closed.rcvd.code == 1009
        assert "2000-byte request over the 1024-byte limit" in closed.rcvd.reason
    finally:
        wire.close()


def test_message_over_the_transport_limit_closes_with_1009(limited: SimulatorHandle) -> None:
    wire = WireClient(limited.url)
    try:
        wire.bootstrap()
        wire.ws.send(bytes(20_000))  # websockets refuses it before we ever decrypt it
        closed = _closed(wire)
        assert closed.rcvd is not None and closed.rcvd.code == 1009
        assert "8192" in closed.rcvd.reason and "request" not in closed.rcvd.reason
    finally:
        wire.close()


# --- sessions -----------------------------------------------------------------------------


def test_extra_session_is_refused_with_503(limited: SimulatorHandle) -> None:
    first, second = WireClient(limited.url), WireClient(limited.url)
    try:
        first.bootstrap()
        second.bootstrap()
        with pytest.raises(InvalidStatus) as info:
            connect(limited.url, open_timeout=5)
        assert info.value.response.status_code == 503
        assert info.value.response.headers["Retry-After"]
        assert limited.server.refused_sessions == 1
        assert first.request(51).code == 0  # the two admitted sessions are unaffected
        second.close()
        deadline = time.monotonic() + 5
        while limited.server.active_sessions > 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        third = WireClient(limited.url)  # a slot is free again
        try:
            assert third.login().code == 0
        finally:
            third.close()
    finally:
        first.close()
        second.close()


# --- requests per second ------------------------------------------------------------------


def test_too_frequent_requests_are_answered_not_executed() -> None:
    limited = start_simulator(
        make_config(), limits=Limits(requests_per_second=1.0, request_burst=4)
    )
    ledger = limited.server.context.engine.ledger(DEMO_LOGIN)
    wire = WireClient(limited.url)
    try:
        assert wire.login().code == 0  # token 1 of the burst of 4
        codes = [wire.request(51).code for _ in range(4)]
        assert codes[:3] == [0, 0, 0] and codes[3] == 2  # spec 1.7 byte: too frequent
        before = len(ledger.positions)
        buy = trade_request(
            action_id=1, trade_action=1, trade_symbol="EURUSD", volume=1_000_000, digits=5
        )
        answer = wire.request(12, buy)
        # spec 3.7.1: code 0 and the retcode in the u32; never executed, so no push 19
        assert answer.code == 0
        assert struct.unpack("<I", bytes(answer.body[:4]))[0] == 10024
        assert all(frame.command != 19 for frame in wire.drain(0.3))
        assert len(ledger.positions) == before
        time.sleep(1.1)  # one request per second refills
        assert wire.request(51).code == 0
    finally:
        wire.close()
        limited.stop()


# --- login lockouts -----------------------------------------------------------------------


def _lockout_sim(**limits: float) -> tuple[SimulatorHandle, object]:
    clock, time_source = manual_clock(T0)
    handle = start_simulator(make_config(), clock=clock, limits=Limits(**limits))  # type: ignore[arg-type]
    return handle, time_source


def test_account_lockout_answers_code_3_and_logs_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="MetaTrader5")
    handle, time_source = _lockout_sim(login_failures_per_account=3, login_failures_per_peer=100)
    wire = WireClient(handle.url)
    try:
        for guess in ("guess-one-1", "guess-two-2", "guess-three-3"):
            assert wire.login(DEMO_LOGIN, guess).code == 3
        assert wire.login(DEMO_LOGIN, DEMO_PASSWORD).code == 3  # locked: right password too
        # the lock is per account: another account logs in from the same address
        assert wire.login(NETTING_LOGIN, NETTING_PASSWORD).code == 0
        time_source.advance(61)  # type: ignore[attr-defined]
        assert wire.login(DEMO_LOGIN, DEMO_PASSWORD).code == 0
    finally:
        wire.close()
        handle.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("account 5000001 locked" in r.getMessage() for r in warnings)
    for secret in ("guess-one-1", "guess-two-2", "guess-three-3", DEMO_PASSWORD):
        assert secret not in caplog.text


def test_peer_lockout_counts_unknown_logins_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="MetaTrader5.server")
    handle, time_source = _lockout_sim(login_failures_per_account=100, login_failures_per_peer=3,
                                       login_window_seconds=10, login_lockout_seconds=30)
    wire = WireClient(handle.url)
    try:
        for login in (999, 998, 997):  # accounts that do not exist
            assert wire.login(login, "whatever").code == 3
        assert wire.login(DEMO_LOGIN, DEMO_PASSWORD).code == 3  # this address is locked out
        time_source.advance(31)  # type: ignore[attr-defined]
        assert wire.login(DEMO_LOGIN, DEMO_PASSWORD).code == 0
        # failures spread wider than the window never add up to a lockout
        for _ in range(4):
            assert wire.login(996, "x").code == 3
            time_source.advance(6)  # type: ignore[attr-defined]
            assert wire.login(996, "y").code == 3
            time_source.advance(11)  # type: ignore[attr-defined]
        assert wire.login(DEMO_LOGIN, DEMO_PASSWORD).code == 0
    finally:
        wire.close()
        handle.stop()
    assert any("address 127.0.0.1 locked" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)


# --- timeouts -----------------------------------------------------------------------------


def test_no_bootstrap_in_time_closes(limited: SimulatorHandle) -> None:
    wire = WireClient(limited.url)
    try:
        started = time.monotonic()
        closed = _closed(wire)
        assert time.monotonic() - started < 2.5
        assert closed.rcvd is not None and closed.rcvd.code == 1008
        assert "bootstrap" in closed.rcvd.reason
    finally:
        wire.close()


def test_idle_session_closes_and_pings_keep_it_open(limited: SimulatorHandle) -> None:
    wire = WireClient(limited.url)
    try:
        assert wire.login().code == 0
        for _ in range(3):  # 1.2 s of pings every 0.4 s: longer than the 0.8 s idle limit
            time.sleep(0.4)
            wire.send(51)  # raw send: no waiting for an answer the rate limit may refuse
        wire.drain(0.05)
        closed = _closed(wire)
        assert closed.rcvd is not None and closed.rcvd.code == 1001
        assert "idle" in closed.rcvd.reason
    finally:
        wire.close()
