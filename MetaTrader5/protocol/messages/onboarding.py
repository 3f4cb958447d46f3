"""Onboarding and misc bodies: 27, 30, 39, 40, 41, 42, 44 (spec 3.9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..codec import Buffer, Reader, encode_counted
from ..exceptions import EncodeError
from ..schemas.onboarding import (
    CorporateLink,
    DocumentHeader,
    KycBlock,
    OpenAccountResponse,
    OpeningForm,
    TraderParams,
    VerifyCodesRequest,
    VerifyResponse,
)
from .session import decode_u32, encode_u32

__all__ = [
    "encode_verify_codes_request",
    "decode_verify_codes_request",
    "encode_submit_codes_request",
    "decode_submit_codes_request",
    "encode_verify_response",
    "decode_verify_response",
    "encode_open_demo_request",
    "decode_open_demo_request",
    "encode_open_account_response",
    "decode_open_account_response",
    "Document",
    "OpenRealRequest",
    "encode_open_real_request",
    "decode_open_real_request",
    "encode_trader_params",
    "decode_trader_params",
    "encode_notify_request",
    "decode_notify_request",
    "encode_corporate_links",
    "decode_corporate_links",
]


def encode_verify_codes_request(request: VerifyCodesRequest) -> bytes:
    """cmd 27 request: i16 build, cid, opening form (spec 3.9.1)."""
    return request.encode()


def decode_verify_codes_request(payload: Buffer) -> VerifyCodesRequest:
    """cmd 27 request (spec 3.9.1)."""
    return VerifyCodesRequest.decode(payload)


def encode_submit_codes_request(form: OpeningForm) -> bytes:
    """cmd 40 request: the opening form with the codes filled in (spec 3.9.1)."""
    return form.encode()


def decode_submit_codes_request(payload: Buffer) -> OpeningForm:
    """cmd 40 request (spec 3.9.1)."""
    return OpeningForm.decode(payload)


def encode_verify_response(response: VerifyResponse) -> bytes:
    """cmd 27/40 response: u8 email, u8 phone (spec 3.9.1)."""
    return response.encode()


def decode_verify_response(body: Buffer) -> VerifyResponse:
    """cmd 27/40 response (spec 3.9.1)."""
    return VerifyResponse.decode(body)


def encode_open_demo_request(form: OpeningForm) -> bytes:
    """cmd 30 request: the 1664-byte opening form (spec 3.9.2)."""
    return form.encode()


def decode_open_demo_request(payload: Buffer) -> OpeningForm:
    """cmd 30 request (spec 3.9.2)."""
    return OpeningForm.decode(payload)


def encode_open_account_response(response: OpenAccountResponse) -> bytes:
    """cmd 30/39 response, 76 bytes (spec 3.9.2)."""
    return response.encode()


def decode_open_account_response(body: Buffer) -> OpenAccountResponse:
    """cmd 30/39 response (spec 3.9.2)."""
    return OpenAccountResponse.decode(body)


@dataclass(frozen=True, slots=True)
class Document:
    """A cmd 39 document: header + front and back images (sizes set on encode)."""

    header: DocumentHeader
    front: bytes = b""
    back: bytes = b""


@dataclass(frozen=True, slots=True)
class OpenRealRequest:
    """cmd 39 request: opening form + KYC + documents (spec 3.9.3)."""

    form: OpeningForm
    kyc: KycBlock
    documents: tuple[Document, ...] = ()


def encode_open_real_request(request: OpenRealRequest) -> bytes:
    """cmd 39 request (spec 3.9.3)."""
    parts = [request.form.encode(), request.kyc.encode()]
    for doc in request.documents:
        h = doc.header
        if len(doc.front) > 0xFFFFFFFF or len(doc.back) > 0xFFFFFFFF:
            raise EncodeError("cmd 39: document image too large")
        head = DocumentHeader(h.data_type, h.document_type, h.front_name, len(doc.front),
                              h.back_name, len(doc.back))
        parts += [head.encode(), bytes(doc.front), bytes(doc.back)]
    return b"".join(parts)


def decode_open_real_request(payload: Buffer) -> OpenRealRequest:
    """cmd 39 request: documents follow the KYC block until the end (spec 3.9.3)."""
    r = Reader(payload, "cmd 39 open real")
    form = r.record(OpeningForm)
    kyc = r.record(KycBlock)
    docs = []
    while r.remaining:
        head = r.record(DocumentHeader)
        front = r.take(head.front_size, "front image")
        docs.append(Document(head, front, r.take(head.back_size, "back image")))
    return OpenRealRequest(form, kyc, tuple(docs))


def encode_trader_params(params: TraderParams) -> bytes:
    """cmd 41 response: two str[32] (spec 3.9.4)."""
    return params.encode()


def decode_trader_params(body: Buffer) -> TraderParams:
    """cmd 41 response (spec 3.9.4)."""
    return TraderParams.decode(body)


def encode_notify_request(value: int) -> bytes:
    """cmd 42 request: u32, 1 = risk warning accepted (spec 3.9.5)."""
    return encode_u32(value)


def decode_notify_request(payload: Buffer) -> int:
    """cmd 42 request (spec 3.9.5)."""
    return decode_u32(payload, "cmd 42 notify")


def encode_corporate_links(links: Sequence[CorporateLink]) -> bytes:
    """cmd 44 response: u32 count + 1288-byte records (spec 3.9.6)."""
    return encode_counted(links)


def decode_corporate_links(body: Buffer) -> tuple[CorporateLink, ...]:
    """cmd 44 response (spec 3.9.6)."""
    r = Reader(body, "cmd 44 links")
    out = r.counted(CorporateLink, "links")
    r.finish()
    return out
