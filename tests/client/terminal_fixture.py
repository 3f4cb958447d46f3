"""A scripted Web Terminal for client tests, on top of :class:`WireServer`.

Bodies are laid out here with ``struct`` straight from PROTOCOL.md (3.3.1, 3.4.2, 3.5.1,
3.5.4, 3.8.1), independently of the client's decoders.
"""

from __future__ import annotations

import struct

from .wire_server import WireServer

LOGIN = 1001
PASSWORD = "s3cret-Pa55"
OTP_LOGIN = 1002
OTP = "424242"


def s16(text: str, size: int) -> bytes:
    return text.encode("utf-16-le").ljust(size, b"\0")[:size]


def account_block(build: int = 5687, tz: int = 7200, dst: int = 0, symbols: int = 3) -> bytes:
    head = bytearray(816)
    head[0] = 1  # demo
    struct.pack_into("<d", head, 9, 10000.0)
    head[25:89] = s16("USD", 64)
    struct.pack_into("<I", head, 93, 100)
    struct.pack_into("<H", head, 353, build)
    head[355:483] = s16("Test-Server", 128)
    struct.pack_into("<ib", head, 739, tz, dst)
    settings = s16("*", 256) + bytes(628 - 256)
    tail = struct.pack("<iiQii", 0, symbols, 0, 0, 0)
    return bytes(head) + struct.pack("<I", 1) + settings + tail


SYMBOLS = [("EURUSD", 1, 5), ("GBPUSD", 2, 5), ("USDJPY", 3, 3)]


def symbol_list(symbols: list[tuple[str, int, int]] = SYMBOLS) -> bytes:
    out = [struct.pack("<I", len(symbols))]
    for name, sid, digits in symbols:
        rec = (
            s16(name, 64) + s16(name + " description", 128) + struct.pack("<II", digits, sid)
            + s16("Forex\\" + name, 256) + struct.pack("<I", 0) + s16("", 64)
            + struct.pack("<H", 0)
        )  # fmt: skip
        assert len(rec) == 526
        out.append(rec)
    return b"".join(out)


def tick(
    sid: int, t: int, ms: int, bid: float, ask: float, fields: int = 3,
    last: float = 0.0, volume: int = 0,
) -> bytes:  # fmt: skip
    rec = struct.pack("<IiIdddqIH", sid, t, fields, bid, ask, last, volume, ms, 0)
    assert len(rec) == 50
    return rec


def book(sid: int, flags: int, levels: list[tuple[int, int, int]]) -> bytes:
    head = struct.pack("<IiiIIH", sid, 0, 0, 0, flags, len(levels))
    body = b"".join(struct.pack("<IBqq", 0, k, p, v) for k, p, v in levels)
    return struct.pack("<I", 1) + head + body


def login_handler(server: WireServer) -> None:
    """Install cmd 28 / 3 / 6 / 7 / 22 / 2 handlers that behave like a gateway."""

    def login(payload: bytes) -> tuple[int, bytes]:
        assert len(payload) == 912
        password = payload[4:68].decode("utf-16-le").split("\0")[0]
        otp = payload[68:196].decode("utf-16-le").split("\0")[0]
        (login_no,) = struct.unpack_from("<Q", payload, 736)
        if login_no == OTP_LOGIN and password == PASSWORD:
            if not otp:
                return (5, b"")
            if otp != OTP:
                return (201, b"")
        elif login_no != LOGIN or password != PASSWORD:
            return (3, b"")
        server.loop_call(lambda: server.push(15, struct.pack("<I", 0)))
        return (0, bytes(160) + struct.pack("<Q", 777))

    server.handlers[28] = login
    server.handlers[3] = lambda p: (0, account_block())
    server.handlers[4] = lambda p: (0, struct.pack("<II", 0, 0))  # no positions, no orders
    server.handlers[6] = lambda p: (0, symbol_list())
    server.handlers[7] = lambda p: (0, b"")
    server.handlers[22] = lambda p: (0, b"")
    server.handlers[2] = lambda p: (0, b"")
