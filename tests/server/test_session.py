"""One connection over a real loopback WebSocket: bootstrap, login, dispatch rules, bad input."""

from __future__ import annotations

import logging
import struct

import pytest
from simwire import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    INVESTOR_PASSWORD,
    NETTING_LOGIN,
    OTP_LOGIN,
    OTP_PASSWORD,
    OTP_SECRET,
    WireClient,
    id_list,
    trade_request,
)
from websockets.exceptions import ConnectionClosed

from MetaTrader5.protocol import crypto, frames
from MetaTrader5.server import SimulatorHandle
from MetaTrader5.server.otp import totp


def test_bootstrap_gives_fresh_token_and_16_byte_key(sim: SimulatorHandle) -> None:
    first, second = WireClient(sim.url), WireClient(sim.url)
    try:
        boot_a, boot_b = first.bootstrap(), second.bootstrap()
        assert len(boot_a.token) == 64 and len(boot_a.session_key) == 16
        assert boot_a.server_build > 0
        assert boot_a.token != boot_b.token and boot_a.session_key != boot_b.session_key
        assert first.request(51).code == 0  # the session key is now in use
    finally:
        first.close()
        second.close()


def test_bootstrap_accepts_a_resumption_token(client: WireClient) -> None:
    boot = client.bootstrap(b"\x11" * 64)
    assert boot.token != b"\x11" * 64 and len(boot.session_key) == 16


def test_login_success_then_push_15_then_announcement(client: WireClient) -> None:
    frame = client.login()
    assert frame.code == 0
    assert len(frame.body) == 168
    blob, session = bytes(frame.body[:160]), struct.unpack_from("<Q", frame.body, 160)[0]
    assert any(blob) and session != 0
    state = client.take_push(15)
    assert bytes(state.body) == b"\x00\x00\x00\x00"
    hello = client.take_push(30001).hello
    assert hello is not None and hello.version >= 1 and hello.capabilities & 1
    assert client.conn.tick_history_available
    # push 15 precedes the announcement, and both come before anything else
    assert client.request(51).code == 0


def test_saved_password_blob_logs_in(client: WireClient, sim: SimulatorHandle) -> None:
    blob = bytes(client.login().body[:160])
    other = WireClient(sim.url)
    try:
        other.bootstrap()
        assert other.login(password=blob.hex()).code == 0
        assert other.request(3).code == 0
    finally:
        other.close()


@pytest.mark.parametrize(
    ("login", "password"),
    [(DEMO_LOGIN, "wrong-password"), (999, DEMO_PASSWORD), (DEMO_LOGIN, "")],
)
def test_login_failure_is_code_3(client: WireClient, login: int, password: str) -> None:
    frame = client.login(login, password)
    assert frame.code == 3
    assert client.request(3).code == 3  # still not logged in


def test_otp_account_needs_then_checks_the_code(client: WireClient, sim: SimulatorHandle) -> None:
    assert client.login(OTP_LOGIN, OTP_PASSWORD).code == 5
    assert client.login(OTP_LOGIN, OTP_PASSWORD, otp="000000").code in (201,)
    now = sim.server.context.clock.now_utc_ms() / 1000
    assert client.login(OTP_LOGIN, OTP_PASSWORD, otp=totp(OTP_SECRET, now)).code == 0
    # a wrong password is refused before the OTP is even looked at
    other = WireClient(sim.url)
    try:
        assert other.login(OTP_LOGIN, "nope", otp=totp(OTP_SECRET, now)).code == 3
    finally:
        other.close()


def test_requests_before_login_get_an_error_code(client: WireClient) -> None:
    client.bootstrap()
    for command in (3, 4, 6, 9, 34):
        assert client.request(command).code == 3
    assert client.request(51).code == 0  # ping is fine anonymously


def test_unknown_and_reserved_ids_get_no_answer(logged_in: WireClient) -> None:
    for command in (21, 25, 33, 37, 50, 100, 112, 999, 30002 + 7):
        logged_in.send(command, b"")
    # the next answer on the wire is the ping's: nothing was sent for the others
    logged_in.send(51)
    seen = []
    while True:
        frame = logged_in.receive()
        seen.append(frame.command)
        if frame.command == 51:
            break
    assert not set(seen) & {21, 25, 33, 37, 50, 100, 112, 999, 30009}


def test_push_only_id_as_request_gets_no_answer_and_never_blocks_the_push(
    logged_in: WireClient, sim: SimulatorHandle
) -> None:
    # The server owes no answer to a push id sent as a request, so the pushes of that id
    # still flow afterwards (before the core fix, one such request held push 8 back for good).
    logged_in.send(8, b"")
    assert logged_in.request(51).code == 0  # the session still serves, and 8 got no answer
    assert all(frame.command != 8 for frame in logged_in.pushes)
    spec = sim.server.context.catalog.by_name("EURUSD")
    assert spec is not None
    assert logged_in.request(7, id_list([spec.symbol_id])).code == 0
    tick = logged_in.take_push(8)
    assert struct.unpack_from("<I", tick.body, 0)[0] == spec.symbol_id


def test_request_salt_is_echoed(logged_in: WireClient) -> None:
    key = logged_in.key
    assert key is not None
    logged_in.drain(0.1)
    logged_in.ws.send(frames.encode_client_message(key, 51, b"", salt=b"\xab\xcd"))
    message = logged_in.ws.recv(5)
    assert isinstance(message, bytes)
    frame = frames.decode_server_message(key, message)
    assert frame.command == 51 and frame.salt == b"\xab\xcd"


def test_reserved_52_answers_fresh_and_drops_after_login(client: WireClient) -> None:
    client.bootstrap()
    assert client.request(52).code == 0
    client.login()
    client.send(52)
    with pytest.raises(ConnectionClosed):
        client.drain(0.2)
        client.request(51, timeout=2)


def test_requests_are_answered_in_order(logged_in: WireClient) -> None:
    for command in (9, 3, 51, 4, 51):
        logged_in.send(command)
    answers: list[int] = []
    while len(answers) < 5:
        frame = logged_in.receive()
        if frame.command in (9, 3, 51, 4):
            answers.append(frame.command)
    assert answers == [9, 3, 51, 4, 51]


def test_logout_forgets_the_login(logged_in: WireClient) -> None:
    assert logged_in.request(2).code == 0
    assert logged_in.request(3).code == 3


def test_investor_login_cannot_trade(client: WireClient) -> None:
    assert client.login(NETTING_LOGIN, INVESTOR_PASSWORD).code == 0
    request = trade_request(
        action_id=1, trade_action=1, trade_symbol="EURUSD", volume=1_000_000, digits=5
    )
    answer = client.request(12, request)
    assert answer.code == 0 and struct.unpack("<I", bytes(answer.body[:4]))[0] == 10017


def test_malformed_frame_closes_only_that_session(sim: SimulatorHandle) -> None:
    good, bad = WireClient(sim.url), WireClient(sim.url)
    try:
        good.login()
        bad.login()
        bad.ws.send(b"\x01\x02\x03")  # not even an outer header
        with pytest.raises(ConnectionClosed):
            bad.drain(0.3)
            bad.request(51, timeout=2)
        assert good.request(51).code == 0
        assert good.request(3).code == 0
    finally:
        good.close()
        bad.close()


@pytest.mark.parametrize(
    "message",
    [
        b"\x10\x00\x00\x00\x01\x00\x00\x00" + b"\x00" * 16,  # wrong key -> bad padding
        b"\x05\x00\x00\x00\x01\x00\x00\x00" + b"\x00" * 5,  # not a multiple of 16
        b"\xff\x00\x00\x00\x01\x00\x00\x00" + b"\x00" * 16,  # length word lies
    ],
)
def test_undecodable_messages_close_the_session(client: WireClient, message: bytes) -> None:
    client.login()
    client.ws.send(message)
    with pytest.raises(ConnectionClosed):
        client.drain(0.3)
        client.request(51, timeout=2)


def test_command_before_bootstrap_closes(client: WireClient) -> None:
    client.ws.send(frames.encode_client_message(crypto.INITIAL_KEY, 28, bytes(912)))
    with pytest.raises(ConnectionClosed):
        client.receive(2)


def test_text_frame_closes(client: WireClient) -> None:
    client.bootstrap()
    client.ws.send("hello")
    with pytest.raises(ConnectionClosed):
        client.receive(2)


def test_truncated_login_body_closes_only_that_session(client: WireClient) -> None:
    client.bootstrap()
    client.send(28, b"\x00" * 10)
    with pytest.raises(ConnectionClosed):
        client.receive(2)


def test_passwords_never_logged(
    sim: SimulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="MetaTrader5")
    wire = WireClient(sim.url)
    try:
        wire.login(DEMO_LOGIN, "a-secret-guess-123")
        wire.login(DEMO_LOGIN, DEMO_PASSWORD)
        wire.login(OTP_LOGIN, OTP_PASSWORD, otp="123456")
    finally:
        wire.close()
    text = caplog.text
    for secret in ("a-secret-guess-123", DEMO_PASSWORD, OTP_PASSWORD, "123456"):
        assert secret not in text


def test_pipelined_requests_all_answered_in_order(logged_in: WireClient) -> None:
    key = logged_in.key
    assert key is not None
    commands = [6, 51, 9, 6, 51] * 20  # ~1.5 MB of symbol lists before we read anything
    for command in commands:
        logged_in.send(command)
    answers: list[int] = []
    while len(answers) < len(commands):
        frame = logged_in.receive()
        if frame.command in (6, 9, 51):
            answers.append(frame.command)
    assert answers == commands
    assert logged_in.request(3).code == 0
