"""TOTP against the RFC 6238 appendix B vectors (SHA-1 secret "12345678901234567890")."""

from __future__ import annotations

import base64

import pytest

from MetaTrader5.server.otp import OtpError, totp, verify_totp

SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("t", "code8"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"),
     (2000000000, "69279037")],
)
def test_rfc6238_vectors(t: int, code8: str) -> None:
    assert totp(SECRET, t, digits=8) == code8
    assert totp(SECRET, t) == code8[2:]


def test_window_of_one_step() -> None:
    code = totp(SECRET, 1_000_000)
    assert verify_totp(SECRET, code, 1_000_000 + 30)
    assert verify_totp(SECRET, code, 1_000_000 - 30)
    assert not verify_totp(SECRET, code, 1_000_000 + 90)
    assert not verify_totp(SECRET, "12345", 1_000_000)


def test_secret_tolerance_and_errors() -> None:
    assert totp(SECRET.lower().rstrip("="), 59) == totp(SECRET, 59)
    with pytest.raises(OtpError):
        totp("not base32 !", 59)
