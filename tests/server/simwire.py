"""Helpers of the server tests: the test market, a manual clock and a tiny wire client.

The client is made directly from the protocol core (its ``ClientConnection`` over a
synchronous ``websockets`` connection), not from our async client: these tests pin the server's wire
behaviour, independent of the client layers above the core.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

from websockets.sync.client import ClientConnection as SyncWebSocket
from websockets.sync.client import connect

from MetaTrader5.protocol import frames
from MetaTrader5.protocol.connection import (
    BootstrapCompleted,
    ClientConnection,
    ExtensionAnnounced,
    Push,
    Response,
)
from MetaTrader5.protocol.messages.auth import client_id, encode_login_request, split_password
from MetaTrader5.protocol.messages.trading import encode_trade_request
from MetaTrader5.protocol.schemas.auth import LoginRequest
from MetaTrader5.protocol.schemas.trading import TradeRequest
from MetaTrader5.server import SimulatorHandle
from MetaTrader5.server.accounts import AccountConfig
from MetaTrader5.server.clock import ServerClock, ServerTimezone
from MetaTrader5.server.config import SimulatorConfig

DEMO_LOGIN = 5000001
DEMO_PASSWORD = "mt5web-demo"
OTP_LOGIN = 7700123
OTP_PASSWORD = "secret-otp"
OTP_SECRET = "JBSWY3DPEHPK3PXP"
NETTING_LOGIN = 7700200
NETTING_PASSWORD = "netting-pass"
INVESTOR_PASSWORD = "look-only"
SMALL_LOGIN = 7700300
SMALL_PASSWORD = "small-pass"

ACCOUNTS = (
    AccountConfig(login=DEMO_LOGIN, password=DEMO_PASSWORD),
    AccountConfig(login=OTP_LOGIN, password=OTP_PASSWORD, otp_secret=OTP_SECRET),
    AccountConfig(
        login=NETTING_LOGIN,
        password=NETTING_PASSWORD,
        margin_mode="netting",
        investor_password=INVESTOR_PASSWORD,
    ),
    AccountConfig(login=SMALL_LOGIN, password=SMALL_PASSWORD, balance=1000.0, leverage=1000),
)


def make_config(**changes: object) -> SimulatorConfig:
    """The test market: the default catalogue, seed 7, the accounts above."""
    values: dict[str, object] = {"accounts": ACCOUNTS, "seed": 7}
    values.update(changes)
    return SimulatorConfig(**values)  # type: ignore[arg-type]


class ManualTime:
    """A UTC clock the test moves by hand (the server's feed follows it)."""

    def __init__(self, utc_ms: int) -> None:
        self.utc_ms = utc_ms

    def __call__(self) -> int:
        return self.utc_ms

    def advance(self, seconds: float) -> None:
        self.utc_ms += int(seconds * 1000)


def manual_clock(utc_ms: int, zone: ServerTimezone | None = None) -> tuple[ServerClock, ManualTime]:
    time_source = ManualTime(utc_ms)
    return ServerClock(zone or ServerTimezone(2, True), time_source), time_source


@dataclass(frozen=True)
class Frame:
    """One server message as the tests see it (a response, a push or the extension hello)."""

    command: int
    code: int
    body: memoryview | bytes
    response: bool = False
    hello: ExtensionAnnounced | None = None


@dataclass
class WireClient:
    """A bare protocol client: the core's ClientConnection over a sync WebSocket.

    ``request`` goes through the connection (allow-list, matching by id, spec 1.6); ``send``
    writes a raw message under the current key, for the bad-input tests.
    """

    url: str
    ws: SyncWebSocket = field(init=False)
    conn: ClientConnection = field(default_factory=ClientConnection)
    boot: BootstrapCompleted | None = None
    pushes: list[Frame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ws = connect(
            self.url, max_size=None, compression=None, open_timeout=5, legacy=True
        )

    @property
    def key(self) -> bytes | None:
        return self.boot.session_key if self.boot is not None else None

    # --- raw ---------------------------------------------------------------------------------
    def send(self, command: int, payload: bytes = b"") -> None:
        self.ws.send(frames.encode_client_message(self.conn.key, command, payload))

    def receive(self, timeout: float = 5.0) -> Frame:
        """The next message; a message may carry one event only in this protocol."""
        message = self.ws.recv(timeout)
        assert isinstance(message, bytes)
        (event,) = self.conn.receive_data(message)
        if isinstance(event, Response):
            return Frame(event.command, event.code, event.body, response=True)
        if isinstance(event, Push):
            return Frame(event.command, 0, event.body)
        if isinstance(event, ExtensionAnnounced):
            return Frame(30001, 0, b"", hello=event)
        raise AssertionError(f"unexpected event {event!r}")

    # --- protocol ----------------------------------------------------------------------------
    def bootstrap(self, token: bytes | None = None) -> BootstrapCompleted:
        self.ws.send(self.conn.start(token))
        message = self.ws.recv(5)
        assert isinstance(message, bytes)
        (event,) = self.conn.receive_data(message)
        assert isinstance(event, BootstrapCompleted)
        self.boot = event
        return event

    def request(self, command: int, payload: bytes = b"", timeout: float = 5.0) -> Frame:
        """Send one request and return its answer; pushes meanwhile go to ``self.pushes``."""
        self.ws.send(self.conn.send_request(command, payload))
        return self.wait_for(command, timeout)

    def wait_for(self, command: int, timeout: float = 5.0) -> Frame:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no message with command {command}")
            frame = self.receive(left)
            if frame.command == command:
                return frame
            self.pushes.append(frame)

    def take_push(self, command: int, timeout: float = 5.0) -> Frame:
        """The first collected or next arriving push with this id."""
        for index, frame in enumerate(self.pushes):
            if frame.command == command:
                return self.pushes.pop(index)
        return self.wait_for(command, timeout)

    def drain(self, duration: float) -> list[Frame]:
        """Collect everything that arrives within ``duration`` seconds."""
        deadline = time.monotonic() + duration
        out: list[Frame] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.receive(left))
            except TimeoutError:
                break
        return out

    def login(
        self, login: int = DEMO_LOGIN, password: str = DEMO_PASSWORD, otp: str = ""
    ) -> Frame:
        if self.boot is None:
            self.bootstrap()
        text, blob = split_password(password)
        request = LoginRequest(
            password=text, otp=otp, cid=client_id("tests"), login=login, password_blob=blob
        )
        return self.request(28, encode_login_request(request))

    def close(self) -> None:
        self.ws.close()


def trade_request(**fields: object) -> bytes:
    """A cmd 12 payload (spec 3.7.1) from wire field values (volume in 10^-8 lots)."""
    return encode_trade_request(TradeRequest(**fields))  # type: ignore[arg-type]


def id_list(ids: list[int]) -> bytes:
    return struct.pack(f"<I{len(ids)}I", len(ids), *ids)


#: 2026-07-15 10:00:00 UTC, a Wednesday in US daylight saving (server = UTC+3).
JULY_UTC_MS = 1_784_109_600_000


@dataclass
class ManualSim:
    """A simulator whose clock only moves when the test says so."""

    handle: SimulatorHandle
    time: ManualTime

    @property
    def url(self) -> str:
        return self.handle.url

    def advance(self, seconds: float, settle: float = 0.1) -> None:
        """Move time forward and wait until the feed pump has fully processed the move."""
        stream = self.handle.server.context.stream
        assert stream is not None
        before = stream.steps
        self.time.advance(seconds)
        deadline = time.monotonic() + 20
        while stream.steps < before + 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(settle)
