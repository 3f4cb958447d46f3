"""Login, logout and the session facts learnt from the server.

* Login (spec 3.8.1): cmd 28 with the password and an optional OTP. A failure code maps to
  :class:`AuthenticationError` (3 = bad account or password) or :class:`OtpRequiredError`
  (5 = OTP needed, 201 = OTP wrong). The session id of the answer is kept and sent again on
  re-login, as the official client does (spec 1.8 resumption).
* Push 15 (spec 3.7.3): 0 = the gateway is connected to the trade server; anything else means
  trading is impossible for now (``trade_server_connected``).
* Server build (spec 3.3.1 ``server_build``): tracked from every account block; a build newer
  than the one the spec was written for (5687, spec 6.1) is logged once as a warning.
* Server time zone (spec 4.3): ``offset_seconds = timezone_shift + 3600 * daylight_mode``.
* Credentials live in a :class:`Credentials` object whose ``repr`` hides the secrets; they are
  kept only while the client may need to log in again (reconnect) and wiped by ``clear()``
  when the client closes. They never reach a log, a repr or an exception message.
"""

from __future__ import annotations

import logging
import secrets

from MetaTrader5.protocol import Command
from MetaTrader5.protocol.messages import (
    client_id,
    decode_login_response,
    decode_u32,
    encode_login_request,
    split_password,
)
from MetaTrader5.protocol.schemas.account import AccountHeader
from MetaTrader5.protocol.schemas.auth import LoginRequest

from .errors import ClientConnectionError, RequestTimeoutError, ServerError, login_error
from .transport import Transport

__all__ = ["Credentials", "Session", "SPEC_SERVER_BUILD"]

_log = logging.getLogger("MetaTrader5.client")

#: spec 6.1: the Web Terminal build this protocol description was written for.
SPEC_SERVER_BUILD = 5687

_warned_builds: set[int] = set()


def make_cid() -> bytes:
    """spec 3.8.1: 16 stable bytes per client (SHA-1 of a platform string + a random u)."""
    return client_id(f"Linux;1;en-US;1920x1080;{secrets.randbelow(1_000_001)}")


def _login_payload(creds: Credentials, otp: str, cid: bytes, session_id: int) -> bytes:
    text, blob = split_password(creds.password)
    request = LoginRequest(
        password=text, otp=otp[:64], cid=cid, login=creds.login, password_blob=blob,
        session=session_id,
    )  # fmt: skip
    return encode_login_request(request)


class Credentials:
    """Login, password and OTP; the secrets never appear in ``repr`` or ``str``."""

    __slots__ = ("_otp", "_password", "login")

    def __init__(self, login: int, password: str, otp: str | None = None) -> None:
        self.login = int(login)
        self._password: str | None = password
        self._otp: str | None = otp

    @property
    def password(self) -> str:
        return self._password or ""

    @property
    def otp(self) -> str:
        return self._otp or ""

    def consume_otp(self) -> str:
        """The OTP, forgotten after this use (an OTP is valid once)."""
        otp, self._otp = self._otp or "", None
        return otp

    @property
    def cleared(self) -> bool:
        return self._password is None

    def clear(self) -> None:
        """Drop the secrets (the login number is not a secret)."""
        self._password = None
        self._otp = None

    def __repr__(self) -> str:
        return f"Credentials(login={self.login}, password=***)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Credentials cannot be pickled")


class Session:
    """The logged-in state of one transport."""

    def __init__(self, transport: Transport, credentials: Credentials) -> None:
        self.transport = transport
        self.credentials = credentials
        self.cid = make_cid()
        self.session_id = 0
        self.logged_in = False
        self.trade_server_connected: bool | None = None
        self.server_build: int | None = None
        self.offset_seconds = 0

    def __repr__(self) -> str:
        return f"<Session login={self.credentials.login} logged_in={self.logged_in}>"

    async def login(self, otp: str | None = None, timeout: float | None = None) -> None:
        """Send cmd 28 (spec 3.8.1) on the transport and start the heartbeat.

        Raises:
            AuthenticationError / OtpRequiredError: the server refused the credentials.
            ClientConnectionError, RequestTimeoutError: no answer.
        """
        creds = self.credentials
        if creds.cleared:
            raise ClientConnectionError("credentials were cleared; create a new client")
        one_time = otp if otp is not None else creds.consume_otp()
        payload = _login_payload(creds, one_time, self.cid, self.session_id)
        try:
            body = await self.transport.request(Command.LOGIN, payload, timeout)
        except ServerError as exc:
            raise login_error(exc.code) from None
        finally:
            del payload, one_time
        self.session_id = decode_login_response(body).session
        self.logged_in = True
        _log.info("logged in as %d", creds.login)
        self.transport.start_heartbeat()

    async def logout(self, timeout: float = 2.0) -> None:
        """Send cmd 2 (spec 3.2) if still connected; failures are ignored (closing anyway)."""
        if self.logged_in and self.transport.ready:
            try:
                await self.transport.request(Command.LOGOUT, b"", timeout, limited=False)
            except (ClientConnectionError, RequestTimeoutError, ServerError) as exc:
                _log.debug("logout not confirmed: %s", exc)
        self.logged_in = False

    # --- pushes and account facts --------------------------------------------------------------

    def on_server_state(self, body: memoryview) -> bool:
        """Push 15 (spec 3.7.3): returns True if the gateway reaches the trade server."""
        value = decode_u32(body, "push 15 state") if len(body) >= 4 else 1
        self.trade_server_connected = value == 0
        if not self.trade_server_connected:
            _log.warning("trade server not connected (push 15 value %d)", value)
        return self.trade_server_connected

    def on_account_header(self, info: AccountHeader) -> None:
        """Track build and time zone from a cmd 3 answer or push 14 (spec 3.3.1, 4.3)."""
        self.server_build = info.server_build
        # spec 4.3: offset = timezone_shift + 3600 x daylight_mode (seconds).
        self.offset_seconds = info.timezone_shift + 3600 * info.daylight_mode
        if info.server_build > SPEC_SERVER_BUILD and info.server_build not in _warned_builds:
            _warned_builds.add(info.server_build)
            _log.warning(
                "server build %d is newer than build %d this client was written for; "
                "layouts may have changed",
                info.server_build,
                SPEC_SERVER_BUILD,
            )
