"""Authentication bodies: login 28, init 29, change password 24, OTP setup 43 (spec 3.8)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..codec import Buffer
from ..exceptions import EncodeError
from ..schemas.auth import (
    PASSWORD_BLOB_SIZE,
    ChangePasswordRequest,
    ChangePasswordResponse,
    InitRequest,
    LoginRequest,
    LoginResponse,
    OtpSetupRequest,
)

__all__ = [
    "client_id",
    "split_password",
    "encode_login_request",
    "decode_login_request",
    "encode_login_response",
    "decode_login_response",
    "encode_init_request",
    "decode_init_request",
    "encode_change_password_request",
    "decode_change_password_request",
    "encode_change_password_response",
    "decode_change_password_response",
    "OtpSetup",
    "encode_otp_setup_request",
    "decode_otp_setup_request",
]


def client_id(source: str) -> bytes:
    """cid: first 16 bytes of SHA-1 of ``platform;dpr;language;WxH;u`` (spec 3.8.1)."""
    return hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).digest()[:16]


def split_password(password: str) -> tuple[str, bytes]:
    """A 320-hex-character password is the saved blob; anything else is plain text, cut to
    32 characters (spec 3.8.1). Returns (text field, 160-byte blob)."""
    if len(password) == 2 * PASSWORD_BLOB_SIZE:
        try:
            return "", bytes.fromhex(password)
        except ValueError:
            pass  # not hex: an ordinary (long) password
    return password[:32], bytes(PASSWORD_BLOB_SIZE)


def encode_login_request(request: LoginRequest) -> bytes:
    """cmd 28 request, 912 bytes (spec 3.8.1)."""
    return request.encode()


def decode_login_request(payload: Buffer) -> LoginRequest:
    """cmd 28 request (spec 3.8.1)."""
    return LoginRequest.decode(payload)


def encode_login_response(response: LoginResponse) -> bytes:
    """cmd 28 response: 160-byte blob + u64 session (spec 3.8.1)."""
    return response.encode()


def decode_login_response(body: Buffer) -> LoginResponse:
    """cmd 28 response (spec 3.8.1)."""
    return LoginResponse.decode(body)


def encode_init_request(request: InitRequest) -> bytes:
    """cmd 29 request, 744 bytes (spec 3.8.2)."""
    return request.encode()


def decode_init_request(payload: Buffer) -> InitRequest:
    """cmd 29 request (spec 3.8.2)."""
    return InitRequest.decode(payload)


def encode_change_password_request(request: ChangePasswordRequest) -> bytes:
    """cmd 24 request, 129 bytes (spec 3.8.3)."""
    return request.encode()


def decode_change_password_request(payload: Buffer) -> ChangePasswordRequest:
    """cmd 24 request (spec 3.8.3)."""
    return ChangePasswordRequest.decode(payload)


def encode_change_password_response(result: int) -> bytes:
    """cmd 24 response: i32, 0 = success [INF] (spec 3.8.3)."""
    return ChangePasswordResponse(result).encode()


def decode_change_password_response(body: Buffer) -> int:
    """cmd 24 response (spec 3.8.3)."""
    return ChangePasswordResponse.decode(body).result


@dataclass(frozen=True, slots=True)
class OtpSetup:
    """cmd 43 request: the 476-byte record, plus the password blob when one is used."""

    request: OtpSetupRequest
    password_blob: bytes = b""


def encode_otp_setup_request(value: OtpSetup) -> bytes:
    """cmd 43 request, 476 bytes (+ 160-byte blob) (spec 3.8.4)."""
    if value.password_blob and len(value.password_blob) != PASSWORD_BLOB_SIZE:
        raise EncodeError(f"cmd 43: blob of {len(value.password_blob)} bytes, expected 160")
    return value.request.encode() + bytes(value.password_blob)


def decode_otp_setup_request(payload: Buffer) -> OtpSetup:
    """cmd 43 request; bytes after the record are the blob (spec 3.8.4)."""
    request = OtpSetupRequest.decode(payload)
    blob = bytes(payload[OtpSetupRequest.SIZE : OtpSetupRequest.SIZE + PASSWORD_BLOB_SIZE])
    return OtpSetup(request, blob)
