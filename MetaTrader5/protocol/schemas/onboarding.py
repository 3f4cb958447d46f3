"""Onboarding and misc records: 27, 30, 39, 40, 41, 42, 44 (spec 3.9)."""

from __future__ import annotations

from dataclasses import dataclass

from ..codec import WireRecord, f64, i16, i64, nested, raw, string, time, u8, u32, u64, wire_record

__all__ = [
    "OpeningForm",
    "VerifyCodesRequest",
    "VerifyResponse",
    "OpenAccountResponse",
    "KycBlock",
    "DocumentHeader",
    "TraderParams",
    "CorporateLink",
]


@wire_record
@dataclass(frozen=True, slots=True)
class OpeningForm(WireRecord):
    """Account opening form, 1664 bytes (spec 3.9.2); cmd 30 and 40 request."""

    full_name: str = string(256)
    group: str = string(128)
    phone_password: str = string(64)
    country: str = string(64)
    city: str = string(64)
    state: str = string(64)
    zipcode: str = string(32)
    address: str = string(256)
    phone: str = string(64)
    email: str = string(128)
    deposit: float = f64()
    leverage: int = u32()
    constant_0: int = u32()
    constant_1: int = u32()
    domain: str = string(128)
    utm_campaign: str = string(64)
    utm_source: str = string(64)
    email_confirm_code: int = u32()
    phone_confirm_code: int = u32()
    first_name: str = string(128)
    second_name: str = string(128)
    agreements: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class VerifyCodesRequest(WireRecord):
    """cmd 27 request: i16 build, cid, opening form (spec 3.9.1)."""

    build: int = i16()
    cid: bytes = raw(16)
    form: OpeningForm = nested(OpeningForm)  # noqa: RUF009 (immutable record)


@wire_record
@dataclass(frozen=True, slots=True)
class VerifyResponse(WireRecord):
    """cmd 27/40 response: u8 email, u8 phone (spec 3.9.1)."""

    email: int = u8()
    phone: int = u8()


@wire_record
@dataclass(frozen=True, slots=True)
class OpenAccountResponse(WireRecord):
    """cmd 30/39 response, 76 bytes (spec 3.9.2)."""

    code: int = u32()
    login: int = i64()
    password: str = string(32)
    investor_password: str = string(32)


@wire_record
@dataclass(frozen=True, slots=True)
class KycBlock(WireRecord):
    """cmd 39 KYC block, 1284 bytes (spec 3.9.3)."""

    first_name: str = string(128)
    second_name: str = string(128)
    middle_name: str = string(128)
    birth_date: int = time()
    gender: int = u32()
    language: str = string(128)
    citizenship: str = string(64)
    tax_id: str = string(128)
    employment: int = u32()
    industry: int = u32()
    education: int = u32()
    wealth: int = u32()
    annual_income: int = u64()
    net_worth: int = u64()
    annual_deposit: int = u64()
    experience_fx: int = u32()
    experience_cfd: int = u32()
    experience_futures: int = u32()
    experience_stocks: int = u32()
    reserved: bytes = raw(512)


@wire_record
@dataclass(frozen=True, slots=True)
class DocumentHeader(WireRecord):
    """cmd 39 document header, 1056 bytes; the two images follow raw (spec 3.9.3)."""

    data_type: int = u32()
    document_type: int = u32()
    front_name: str = string(520)
    front_size: int = u32()
    back_name: str = string(520)
    back_size: int = u32()


@wire_record
@dataclass(frozen=True, slots=True)
class TraderParams(WireRecord):
    """cmd 41 response: two str[32], meaning unknown (spec 3.9.4)."""

    first: str = string(32)
    second: str = string(32)


@wire_record
@dataclass(frozen=True, slots=True)
class CorporateLink(WireRecord):
    """cmd 44 response record, 1288 bytes (spec 3.9.6)."""

    type: int = u32()
    url: str = string(512)
    label: str = string(512)
    flags: int = u32()
    icon: bytes = raw(256)
