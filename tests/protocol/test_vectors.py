"""Golden vectors of vectors.json, one test per entry (bytes in, values out, and back)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from MetaTrader5.protocol import codec, crypto, frames
from MetaTrader5.protocol.bulk import bars_to_rates, decode_bars, decode_ticks, ticks_to_official
from MetaTrader5.protocol.messages import (
    BootstrapResponse,
    decode_book,
    decode_bootstrap_response,
    decode_id_list,
    decode_symbols,
    decode_symbols_compressed,
    decode_trade_request,
    decode_trade_response,
    decode_trade_result,
    encode_bootstrap_response,
    encode_id_list,
    encode_notify_request,
    encode_symbols,
    encode_trade_response,
    split_password,
)
from MetaTrader5.protocol.messages.auth import client_id
from MetaTrader5.protocol.schemas import (
    Bar,
    ChangePasswordRequest,
    HistoryRequest,
    InitRequest,
    LoginRequest,
    LoginResponse,
    OpenAccountResponse,
    OtpSetupRequest,
    RatesRequest,
    TradeRequest,
    VerifyResponse,
)
from MetaTrader5.protocol.values import lots_to_wire

DATA = Path(__file__).parent / "data" / "vectors.json"

SHARED = Path(__file__).resolve().parents[3] / "shared" / "protocol" / "vectors.json"


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_copy_matches_shared() -> None:
    if not SHARED.exists():
        pytest.skip("../shared/protocol/vectors.json not present")
    assert DATA.read_bytes() == SHARED.read_bytes()


def test_initial_key(vectors: dict[str, Any]) -> None:
    v = vectors["initial_key"]
    assert crypto.deobfuscate_key(v["obfuscated"]) == h(v["key_bytes_hex"])
    assert h(v["key_bytes_hex"]) == crypto.INITIAL_KEY


def test_bootstrap_request(vectors: dict[str, Any]) -> None:
    v = vectors["bootstrap_request"]
    assert frames.pack_client_inner(0, bytes(64), salt=h("a1b2")) == h(v["inner_plain_hex"])
    message = frames.encode_client_message(crypto.INITIAL_KEY, 0, bytes(64), salt=h("a1b2"))
    assert message == h(v["websocket_message_hex"])
    frame = frames.decode_client_message(crypto.INITIAL_KEY, message)
    assert (frame.salt, frame.command, bytes(frame.payload)) == (h("a1b2"), 0, bytes(64))


def test_bootstrap_response(vectors: dict[str, Any]) -> None:
    v = vectors["bootstrap_response_synthetic"]
    boot = decode_bootstrap_response(h(v["body_hex"]))
    assert boot == BootstrapResponse(0x1637, h(v["token_hex"]), h(v["session_key_hex"]))
    assert encode_bootstrap_response(boot) == h(v["body_hex"])
    message = frames.encode_server_message(crypto.INITIAL_KEY, 0, 0, h(v["body_hex"]), h("a1b2"))
    assert message == h(v["websocket_message_hex"])
    frame = frames.decode_server_message(crypto.INITIAL_KEY, h(v["websocket_message_hex"]))
    assert (frame.command, frame.code, bytes(frame.body)) == (0, 0, h(v["body_hex"]))


def test_ping(vectors: dict[str, Any]) -> None:
    v = vectors["ping_with_session_key"]
    key = h(v["session_key_hex"])
    req = frames.decode_client_message(key, h(v["request_websocket_message_hex"]))
    assert frames.pack_client_inner(51, b"", req.salt) == h(v["request_inner_hex"])
    assert frames.encode_client_message(key, 51, b"", h("0506")) == h(
        v["request_websocket_message_hex"]
    )
    res = frames.decode_server_message(key, h(v["response_websocket_message_hex"]))
    assert (res.command, res.code, bytes(res.body)) == (51, 0, b"")
    assert frames.encode_server_message(key, 51, 0, b"", h("0000")) == h(
        v["response_websocket_message_hex"]
    )


def _one(kind: codec.FieldType, value: Any, size: int = 0) -> bytes:
    schema = codec.Schema("v", [codec.Field("x", kind, size)])
    encoded = schema.encode({"x": value})
    return encoded


@pytest.mark.parametrize(
    ("key", "kind", "value", "size"),
    [
        ("i8_minus2", codec.FieldType.I8, -2, 0),
        ("i16_minus2", codec.FieldType.I16, -2, 0),
        ("i32_minus2", codec.FieldType.I32, -2, 0),
        ("u8_200", codec.FieldType.U8, 200, 0),
        ("u16_16385", codec.FieldType.U16, 16385, 0),
        ("u32_305419896", codec.FieldType.U32, 305419896, 0),
        ("f32_1_5", codec.FieldType.F32, 1.5, 0),
        ("f64_1_08123", codec.FieldType.F64, 1.08123, 0),
        ("time_unix_ms_0", codec.FieldType.TIME, 0, 0),
        ("time_unix_ms_1700000000123", codec.FieldType.TIME, 1700000000123, 0),
        ("i64_minus1", codec.FieldType.I64, -1, 0),
        ("u64_100000000", codec.FieldType.U64, 100000000, 0),
        ("utf16_EURUSD_len64", codec.FieldType.STR, "EURUSD", 64),
        ("utf16_nonascii_len16", codec.FieldType.STR, "Zürich€", 16),
        ("bytes_len8_from_3", codec.FieldType.BYTES, b"\x01\x02\x03", 8),
        ("ascii_type10_len8", codec.FieldType.ASTR, b"abc", 8),
    ],
)
def test_field_types(vectors: dict[str, Any], key: str, kind: codec.FieldType, value: Any,
                     size: int) -> None:
    expected = h(vectors["field_types"][key])
    assert _one(kind, value, size) == expected
    decoded = codec.Schema("v", [codec.Field("x", kind, size)]).decode(expected)["x"]
    if kind is codec.FieldType.BYTES or kind is codec.FieldType.ASTR:
        assert decoded == bytes(value).ljust(size, b"\0")
    else:
        assert decoded == value


def test_client_id(vectors: dict[str, Any]) -> None:
    v = vectors["client_id"]
    assert client_id(v["source_string"]) == h(v["sha1_first16_hex"])


def test_login_plain(vectors: dict[str, Any]) -> None:
    v = vectors["login_request_plain_password"]
    i = v["inputs"]
    req = LoginRequest(password="Passw0rd!", cid=h(i["cid_hex"]), url_length=11,
                       url="example.com", login=12345678)
    assert len(req.encode()) == v["length"]
    assert req.encode() == h(v["payload_hex"])
    assert LoginRequest.decode(h(v["payload_hex"])) == req


def test_login_blob_otp(vectors: dict[str, Any]) -> None:
    v = vectors["login_request_password_blob_and_otp"]
    blob = bytes(range(255, 95, -1))
    text, parsed = split_password(blob.hex())
    assert (text, parsed) == ("", blob)
    req = LoginRequest(otp="123456", cid=h(vectors["client_id"]["sha1_first16_hex"]),
                       login=12345678, password_blob=blob, session=987654321)
    assert req.encode() == h(v["payload_hex"])
    assert LoginRequest.decode(h(v["payload_hex"])) == req


def test_login_response(vectors: dict[str, Any]) -> None:
    body = h(vectors["login_response_synthetic"]["body_hex"])
    res = LoginResponse.decode(body)
    assert res == LoginResponse(b"\x5a" * 160, 987654321)
    assert res.encode() == body


def test_init(vectors: dict[str, Any]) -> None:
    v = vectors["init_request"]
    req = InitRequest(cid=h(vectors["client_id"]["sha1_first16_hex"]))
    assert req.encode() == h(v["payload_hex"])
    assert len(req.encode()) == v["length"] == 744


def test_rates_request(vectors: dict[str, Any]) -> None:
    v = vectors["rates_request"]
    req = RatesRequest("EURUSD", 16385, 1700000000, 1700086400)
    assert req.encode() == h(v["payload_hex"])
    assert RatesRequest.decode(h(v["payload_hex"])) == req


def test_bar(vectors: dict[str, Any]) -> None:
    v = vectors["rate_bar_synthetic"]
    record = h(v["record_hex"])
    bar = Bar.decode(record)
    assert bar == Bar(**v["values"])
    assert bar.encode() == record
    rates = bars_to_rates(decode_bars(record))
    assert rates["time"][0] == 1700000000 and rates["tick_volume"][0] == 1234
    assert rates["close"][0] == 1.0719 and rates["spread"][0] == 0


def test_history_request(vectors: dict[str, Any]) -> None:
    payload = h(vectors["trade_history_request"]["payload_hex"])
    assert HistoryRequest(1700000000, 0).encode() == payload
    assert HistoryRequest.decode(payload) == HistoryRequest(1700000000, 0)


def test_id_list(vectors: dict[str, Any]) -> None:
    v = vectors["symbol_id_list"]
    assert encode_id_list([1, 42, 300]) == h(v["payload_hex"])
    assert decode_id_list(h(v["payload_hex"])) == (1, 42, 300)
    assert encode_id_list([]) == h(v["empty_list_hex"])


def _market_buy(inputs: dict[str, Any]) -> TradeRequest:
    return TradeRequest(
        action_id=1000, trade_action=3, trade_symbol="EURUSD", volume=lots_to_wire(0.1),
        digits=5, type_filling=1, type_flags=2, sl=1.065, tp=1.08, comment="test",
    )


def test_trade_request(vectors: dict[str, Any]) -> None:
    v = vectors["trade_request_market_buy"]
    req = _market_buy(v["inputs"])
    assert req.volume == v["inputs"]["volume_wire"]
    assert req.encode() == h(v["payload_hex"])
    assert decode_trade_request(h(v["payload_hex"])) == req


def test_trade_request_legacy_236_bytes_zero_filled(vectors: dict[str, Any]) -> None:
    payload = h(vectors["trade_request_market_buy"]["payload_hex"])[:236]
    req = decode_trade_request(payload)
    assert req.position_by == 0 and req.expiration == 0 and req.trade_symbol == "EURUSD"


def test_trade_result_push(vectors: dict[str, Any]) -> None:
    v = vectors["trade_result_push_synthetic"]
    push = decode_trade_result(h(v["body_hex"]))
    assert push.request == _market_buy(vectors["trade_request_market_buy"]["inputs"])
    assert push.result.retcode == 10009 and push.result.comment == "Request executed"
    assert push.result.volume == 10_000_000 and push.result.time == 1700000001
    assert push.encode() == h(v["body_hex"])


def test_trade_response(vectors: dict[str, Any]) -> None:
    body = h(vectors["trade_request_response_synthetic"]["body_hex"])
    assert decode_trade_response(body) == 0
    assert encode_trade_response(0) == body


def test_tick_push(vectors: dict[str, Any]) -> None:
    v = vectors["tick_push_synthetic"]
    ticks = decode_ticks(h(v["body_hex"]))
    assert len(ticks) == 1 and ticks["symbol_id"][0] == 42
    official = ticks_to_official(ticks, 5)
    assert official["bid"][0] == v["values"]["bid"]
    assert official["ask"][0] == v["values"]["ask"]
    assert official["time_msc"][0] == v["values"]["time_msc"]
    assert official["flags"][0] == 2 | 4  # fields 3 -> TICK_FLAG_BID | TICK_FLAG_ASK
    assert ticks.tobytes() == h(v["body_hex"])


def test_book_push(vectors: dict[str, Any]) -> None:
    from MetaTrader5.protocol.messages import encode_book

    body = h(vectors["book_push_synthetic"]["body_hex"])
    (entry,) = decode_book(body)
    assert entry.header.symbol_id == 42 and entry.header.books_flags == 2
    sell, buy = entry.levels
    assert (sell.type, sell.price, sell.volume) == (1, 107195, 100_000_000)
    assert (buy.type, buy.price, buy.volume) == (2, 107193, 250_000_000)
    assert encode_book([entry]) == body


def test_symbols_6_and_34(vectors: dict[str, Any]) -> None:
    v = vectors["symbols_list_synthetic"]
    (sym,) = decode_symbols(h(v["cmd6_body_hex"]))
    assert (sym.trade_symbol, sym.digits, sym.symbol_id) == ("EURUSD", 5, 42)
    assert sym.path == "Forex\\Majors\\EURUSD" and sym.description == "Euro vs US Dollar"
    assert encode_symbols([sym]) == h(v["cmd6_body_hex"])
    assert decode_symbols_compressed(h(v["cmd34_body_hex"])) == (sym,)
    prefix = struct.unpack_from("<I", h(v["cmd34_body_hex"]))[0]
    assert prefix == len(h(v["cmd6_body_hex"]))
    assert zlib.decompress(h(v["cmd34_body_hex"])[4:]) == h(v["cmd6_body_hex"])


def test_change_password(vectors: dict[str, Any]) -> None:
    payload = h(vectors["change_password_request"]["payload_hex"])
    req = ChangePasswordRequest(0, "NewPass1!", "Passw0rd!")
    assert req.encode() == payload and ChangePasswordRequest.decode(payload) == req


def test_notify(vectors: dict[str, Any]) -> None:
    assert encode_notify_request(1) == h(vectors["notify_request"]["payload_hex"])


def test_otp_setup(vectors: dict[str, Any]) -> None:
    v = vectors["otp_setup_request"]
    req = OtpSetupRequest(5, 12345678, "Passw0rd!", "", "JBSWY3DPEHPK3PXP", "123456",
                          h(vectors["client_id"]["sha1_first16_hex"]))
    assert req.encode() == h(v["payload_hex"])
    assert OtpSetupRequest.decode(h(v["payload_hex"])) == req


def test_open_account_response(vectors: dict[str, Any]) -> None:
    body = h(vectors["open_account_response_synthetic"]["body_hex"])
    res = OpenAccountResponse.decode(body)
    assert res == OpenAccountResponse(0, 12345679, "AbCd1234", "Inv12345")
    assert res.encode() == body


def test_verify_response(vectors: dict[str, Any]) -> None:
    body = h(vectors["verify_response_synthetic"]["body_hex"])
    assert VerifyResponse.decode(body) == VerifyResponse(1, 0)
    assert VerifyResponse(1, 0).encode() == body
