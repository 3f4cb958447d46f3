"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), for OTP-protected accounts.

Pure functions: the caller passes the Unix time, so tests and the server agree on the step.
SHA-1, 30-second steps and 6 digits, the parameters every authenticator app uses by default.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

__all__ = ["OtpError", "decode_secret", "hotp", "totp", "verify_totp"]

STEP_SECONDS = 30
DIGITS = 6


class OtpError(ValueError):
    """The OTP secret is not valid base32."""


def decode_secret(secret: str) -> bytes:
    """Decode a base32 secret the way authenticator apps accept it (case, spaces, no padding).

    Raises:
        OtpError: the secret is empty or not base32.
    """
    cleaned = secret.replace(" ", "").replace("-", "").upper().rstrip("=")
    if not cleaned:
        raise OtpError("empty OTP secret")
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(padded, casefold=False)
    except (binascii.Error, ValueError) as exc:
        raise OtpError("OTP secret is not valid base32") from exc


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 HOTP value of ``counter`` (dynamic truncation of HMAC-SHA1)."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(
    secret: str, unix_seconds: float, *, step: int = STEP_SECONDS, digits: int = DIGITS
) -> str:
    """RFC 6238 code of a base32 ``secret`` at ``unix_seconds`` (UTC, not server time)."""
    return hotp(decode_secret(secret), int(unix_seconds // step), digits)


def verify_totp(
    secret: str, code: str, unix_seconds: float, *, window: int = 1, step: int = STEP_SECONDS
) -> bool:
    """Whether ``code`` matches the step of ``unix_seconds`` or one within +-``window`` steps.

    Comparison is constant-time per candidate so timing reveals nothing about the right code.
    """
    candidate = code.strip()
    if len(candidate) != DIGITS or not candidate.isdigit():
        return False
    key = decode_secret(secret)
    counter = int(unix_seconds // step)
    matched = False
    for delta in range(-window, window + 1):
        if counter + delta < 0:
            continue
        # Evaluate every candidate (no early exit) to keep the timing independent of the match.
        if hmac.compare_digest(hotp(key, counter + delta).encode(), candidate.encode()):
            matched = True
    return matched
