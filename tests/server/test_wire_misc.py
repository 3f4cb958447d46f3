"""Password change 24, OTP setup 43, onboarding 27 30 39 40, misc 29 41 42 44 (spec 3.8, 3.9)."""

from __future__ import annotations

from simwire import DEMO_PASSWORD, WireClient, make_config

from MetaTrader5.protocol.messages.auth import (
    OtpSetup,
    decode_change_password_response,
    encode_change_password_request,
    encode_init_request,
    encode_otp_setup_request,
)
from MetaTrader5.protocol.messages.onboarding import (
    decode_corporate_links,
    decode_open_account_response,
    decode_trader_params,
    decode_verify_response,
    encode_notify_request,
    encode_open_demo_request,
    encode_submit_codes_request,
    encode_verify_codes_request,
)
from MetaTrader5.protocol.schemas.auth import ChangePasswordRequest, InitRequest, OtpSetupRequest
from MetaTrader5.protocol.schemas.onboarding import OpeningForm, VerifyCodesRequest
from MetaTrader5.server import SimulatorHandle, start_simulator
from MetaTrader5.server.otp import totp


def test_anonymous_socket_commands(client: WireClient) -> None:
    client.bootstrap()
    assert client.request(29, encode_init_request(InitRequest())).code == 0
    params = decode_trader_params(client.request(41).body)
    assert (params.first, params.second) == ("", "")
    form = OpeningForm(full_name="Ada Lovelace", email="ada@example.org")
    flags = decode_verify_response(
        client.request(27, encode_verify_codes_request(VerifyCodesRequest(5687, bytes(16), form)))
        .body
    )
    assert (flags.email, flags.phone) == (0, 0)
    answer = client.request(40, encode_submit_codes_request(form))
    assert answer.code == 0 and len(answer.body) == 2
    # a demo server cannot open real accounts: an error code, never silence
    assert client.request(39, encode_open_demo_request(form)).code == 1


def test_open_demo_account_then_log_in(client: WireClient, sim: SimulatorHandle) -> None:
    client.bootstrap()
    form = OpeningForm(full_name="Grace Hopper", deposit=2500.0, leverage=50)
    result = decode_open_account_response(client.request(30, encode_open_demo_request(form)).body)
    assert result.code == 0 and result.login > 0
    assert result.password and result.investor_password
    fresh = WireClient(sim.url)
    try:
        assert fresh.login(result.login, result.password).code == 0
        from MetaTrader5.protocol.messages.account import decode_account

        header = decode_account(fresh.request(3).body).header
        assert header.balance == 2500.0 and header.leverage == 50
        assert header.name == "Grace Hopper"
    finally:
        fresh.close()


def test_logged_in_misc(logged_in: WireClient) -> None:
    assert logged_in.request(42, encode_notify_request(1)).code == 0
    assert decode_corporate_links(logged_in.request(44).body) == ()
    assert logged_in.request(20, b"\x00\x00\x00\x00").body == b""


def test_change_password() -> None:
    with start_simulator(make_config()) as handle:
        wire = WireClient(handle.url)
        try:
            assert wire.login().code == 0
            bad = ChangePasswordRequest(0, "New-Pass-123", "not-the-password")
            assert wire.request(24, encode_change_password_request(bad)).code == 3
            good = ChangePasswordRequest(0, "New-Pass-123", DEMO_PASSWORD)
            answer = wire.request(24, encode_change_password_request(good))
            assert answer.code == 0 and decode_change_password_response(answer.body) == 0
        finally:
            wire.close()
        again = WireClient(handle.url)
        try:
            assert again.login(password=DEMO_PASSWORD).code == 3
            assert again.login(password="New-Pass-123").code == 0
        finally:
            again.close()


def test_otp_setup_enables_and_disables() -> None:
    with start_simulator(make_config()) as handle:
        secret = "JBSWY3DPEHPK3PXP"
        now = handle.server.context.clock.now_utc_ms() / 1000
        wire = WireClient(handle.url)
        try:
            wire.bootstrap()
            wrong = OtpSetupRequest(5, 5000001, DEMO_PASSWORD, "", secret, "000000", bytes(16))
            payload = encode_otp_setup_request(OtpSetup(wrong))
            assert wire.request(43, payload).code == 201
            enable = OtpSetupRequest(
                5, 5000001, DEMO_PASSWORD, "", secret, totp(secret, now), bytes(16)
            )
            assert wire.request(43, encode_otp_setup_request(OtpSetup(enable))).code == 0
        finally:
            wire.close()
        fresh = WireClient(handle.url)
        try:
            assert fresh.login().code == 5
            assert fresh.login(otp=totp(secret, now)).code == 0
            code = totp(secret, now)
            disable = OtpSetupRequest(5, 5000001, DEMO_PASSWORD, code, "", "", bytes(16))
            assert fresh.request(43, encode_otp_setup_request(OtpSetup(disable))).code == 0
        finally:
            fresh.close()
        last = WireClient(handle.url)
        try:
            assert last.login().code == 0
        finally:
            last.close()
