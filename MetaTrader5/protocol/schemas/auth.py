"""Authentication records: login 28, init 29, change password 24, OTP setup 43 (spec 3.8)."""

from __future__ import annotations

from dataclasses import dataclass

from ..codec import WireRecord, i32, raw, string, u8, u32, u64, wire_record

__all__ = [
    "LoginRequest",
    "LoginResponse",
    "InitRequest",
    "ChangePasswordRequest",
    "ChangePasswordResponse",
    "OtpSetupRequest",
    "PASSWORD_BLOB_SIZE",
]

#: spec 3.8.1: size of the saved-password blob (320 hex characters).
PASSWORD_BLOB_SIZE = 160


@wire_record
@dataclass(frozen=True, slots=True)
class LoginRequest(WireRecord):
    """cmd 28 request, 912 bytes (spec 3.8.1)."""

    version: int = u32()
    password: str = string(64)
    otp: str = string(128)
    cid: bytes = raw(16)
    utm_campaign: str = string(64)
    utm_source: str = string(64)
    lead_cookie_id: int = u64()
    lead_affiliate_site: str = string(128)
    url_length: int = u32()
    url: str = string(256)
    login: int = u64()
    password_blob: bytes = raw(PASSWORD_BLOB_SIZE)
    session: int = u64()


@wire_record
@dataclass(frozen=True, slots=True)
class LoginResponse(WireRecord):
    """cmd 28 response, 168 bytes (spec 3.8.1)."""

    password_blob: bytes = raw(PASSWORD_BLOB_SIZE)
    session: int = u64()


@wire_record
@dataclass(frozen=True, slots=True)
class InitRequest(WireRecord):
    """cmd 29 request, 744 bytes: the first 10 login fields + u64 0 (spec 3.8.2)."""

    version: int = u32()
    password: str = string(64)
    otp: str = string(128)
    cid: bytes = raw(16)
    utm_campaign: str = string(64)
    utm_source: str = string(64)
    lead_cookie_id: int = u64()
    lead_affiliate_site: str = string(128)
    url_length: int = u32()
    url: str = string(256)
    reserved: int = u64()


@wire_record
@dataclass(frozen=True, slots=True)
class ChangePasswordRequest(WireRecord):
    """cmd 24 request, 129 bytes (spec 3.8.3)."""

    is_investor: int = u8()
    new_password: str = string(64)
    current_password: str = string(64)


@wire_record
@dataclass(frozen=True, slots=True)
class ChangePasswordResponse(WireRecord):
    """cmd 24 response: i32 result, 0 = success [INF] (spec 3.8.3)."""

    result: int = i32()


@wire_record
@dataclass(frozen=True, slots=True)
class OtpSetupRequest(WireRecord):
    """cmd 43 request, 476 bytes (+ optional 160-byte blob, see messages) (spec 3.8.4)."""

    constant: int = u32()
    login: int = u64()
    password: str = string(64)
    otp: str = string(128)
    otp_secret: str = string(128)
    otp_secret_check: str = string(128)
    cid: bytes = raw(16)
