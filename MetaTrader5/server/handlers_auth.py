"""Authentication and session commands: login 28, logout 2, ping 51, init 29, password 24,
OTP setup 43, reserved 52, and the onboarding/misc commands 27 30 39 40 41 42 44.

Login (spec 3.8.1, 7.3): unknown login or wrong password -> code 3; an OTP-protected account
without an OTP -> 5, with a wrong one -> 201; success -> 160-byte blob + u64 session, then push
15 = 0, then our extension announcement (push 30001, ``docs/protocol/extension.rst``).
Nothing here ever logs a password, an OTP or a blob.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from typing import TYPE_CHECKING

from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.extension import (
    CAPABILITY_TICK_HISTORY,
    EXTENSION_VERSION,
    ExtensionHello,
    encode_extension_hello,
)
from MetaTrader5.protocol.messages.auth import (
    decode_change_password_request,
    decode_login_request,
    decode_otp_setup_request,
    encode_change_password_response,
    encode_login_response,
)
from MetaTrader5.protocol.messages.onboarding import (
    decode_notify_request,
    decode_open_demo_request,
    encode_corporate_links,
    encode_open_account_response,
    encode_trader_params,
    encode_verify_response,
)
from MetaTrader5.protocol.messages.session import encode_u32
from MetaTrader5.protocol.schemas.auth import LoginResponse
from MetaTrader5.protocol.schemas.onboarding import (
    OpenAccountResponse,
    TraderParams,
    VerifyResponse,
)

from .accounts import AccountConfig, LoginKind
from .handlers_common import CloseSession, Reply, random_session_id
from .otp import OtpError, verify_totp

if TYPE_CHECKING:
    from .accounts import Account
    from .session import Handler, Session

__all__ = ["AUTH_HANDLERS", "ANONYMOUS_COMMANDS", "LOGIN_FAILED", "OTP_REQUIRED", "OTP_INVALID"]

#: spec 1.7 result codes of cmd 28.
LOGIN_FAILED = 3
OTP_REQUIRED = 5
OTP_INVALID = 201
#: spec 1.7: code for a request we do not support (opening a real account): "internal error".
UNSUPPORTED = 1

_BLOB_SIZE = 160
_PUSH_15_CONNECTED = encode_u32(0)  # spec 3.7.3: 0 = connected to the trade server
#: Our extension announcement (docs/protocol/extension.rst): tick history is offered.
_HELLO = encode_extension_hello(ExtensionHello(EXTENSION_VERSION, CAPABILITY_TICK_HISTORY))

#: Commands a session may send before logging in (spec 1.8, 3.9: anonymous sockets).
ANONYMOUS_COMMANDS: frozenset[int] = frozenset({0, 2, 27, 28, 29, 30, 39, 40, 41, 43, 51, 52})


def _blob(secret: bytes, login: int, password: str, kind: str) -> bytes:
    """The opaque "saved password" token (spec 3.8.1) for one login and password."""
    out = b""
    counter = 0
    seed = f"{login}:{kind}:{password}".encode()
    while len(out) < _BLOB_SIZE:
        out += hmac.new(secret, seed + bytes((counter,)), hashlib.sha256).digest()
        counter += 1
    return out[:_BLOB_SIZE]


def _check_credentials(
    session: Session, account: Account, password: str, blob: bytes
) -> str | None:
    """LoginKind for a matching password or blob, else None (constant-time comparisons)."""
    if any(blob):
        secret = session.context.blob_secret
        master = hmac.compare_digest(blob, _blob(secret, account.login, account.password, "m"))
        investor = account.investor_password is not None and hmac.compare_digest(
            blob, _blob(secret, account.login, account.investor_password, "i")
        )
        if master:
            return LoginKind.MASTER
        return LoginKind.INVESTOR if investor else None
    return account.check_password(password)


async def handle_login(session: Session, payload: memoryview) -> Reply:
    """cmd 28 (spec 3.8.1)."""
    request = decode_login_request(payload)
    context = session.context
    now_ms = context.clock.now_utc_ms()
    account = context.engine.accounts.get(request.login)
    guard = context.login_guard
    # Limits: a locked account or address is answered like a wrong password, so a guesser
    # learns nothing from the lockout itself.
    if guard.refuses(session.peer_host, account, now_ms):
        return Reply(LOGIN_FAILED)
    if account is None:
        guard.failed(session.peer_host, None, request.login, now_ms)
        return Reply(LOGIN_FAILED)
    kind = _check_credentials(session, account, request.password, request.password_blob)
    if kind is None:
        guard.failed(session.peer_host, account, request.login, now_ms)
        return Reply(LOGIN_FAILED)
    if account.otp_secret:
        if not request.otp:
            return Reply(OTP_REQUIRED)
        try:
            valid = verify_totp(account.otp_secret, request.otp, now_ms / 1000)
        except OtpError:
            valid = False
        if not valid:
            guard.failed(session.peer_host, account, request.login, now_ms)
            return Reply(OTP_INVALID)
    account.record_login_success(now_ms)
    if session.login is not None:
        context.unregister(session)
    session.set_login(account.login)
    session.investor = kind == LoginKind.INVESTOR
    session.session_id = random_session_id()
    context.register(session, account.login)
    master = kind == LoginKind.MASTER
    secret = account.password if master else account.investor_password or ""
    blob = _blob(context.blob_secret, account.login, secret, "m" if master else "i")
    return Reply(
        0,
        encode_login_response(LoginResponse(blob, session.session_id)),
        pushes=(
            (Command.TRADE_SERVER_STATE, _PUSH_15_CONNECTED),
            (Command.EXTENSION_HELLO, _HELLO),
        ),
    )


async def handle_logout(session: Session, payload: memoryview) -> Reply:
    """cmd 2 (spec 3.2): answer, then forget the login (the client closes the socket)."""
    del payload
    if session.login is not None:
        session.context.unregister(session)
        session.set_login(None)
    return Reply()


async def handle_empty_ok(session: Session, payload: memoryview) -> Reply:
    """ping 51, init 29: code 0, empty body (spec 1.8, 3.2, 3.8.2)."""
    del session, payload
    return Reply()


async def handle_notify(session: Session, payload: memoryview) -> Reply:
    """notify 42 (spec 3.9.5): a u32 (1 = risk warning accepted); answered, nothing to do."""
    del session
    decode_notify_request(payload)
    return Reply()


async def handle_reserved_52(session: Session, payload: memoryview) -> Reply:
    """cmd 52 (spec 3.10 [P-live]): code 0 on a fresh socket; after login the server drops it."""
    del payload
    if session.login is not None:
        raise CloseSession("cmd 52 after login")
    return Reply()


async def handle_change_password(session: Session, payload: memoryview) -> Reply:
    """cmd 24 (spec 3.8.3): i32 0 on success; code 3 for a wrong current password."""
    request = decode_change_password_request(payload)
    if session.login is None or session.investor:
        return Reply(LOGIN_FAILED)
    account = session.context.engine.account(session.login)
    if account.check_password(request.current_password) != LoginKind.MASTER:
        return Reply(LOGIN_FAILED)
    if not request.new_password:
        return Reply(0, encode_change_password_response(2))
    if request.is_investor:
        account.investor_password = request.new_password
    else:
        account.password = request.new_password
    return Reply(0, encode_change_password_response(0))


async def handle_otp_setup(session: Session, payload: memoryview) -> Reply:
    """cmd 43 (spec 3.8.4): enable (secret + check code) or disable (current OTP) on an account."""
    setup = decode_otp_setup_request(payload)
    request = setup.request
    context = session.context
    account = context.engine.accounts.get(request.login)
    now_ms = context.clock.now_utc_ms()
    # The same lockout as cmd 28: this command checks the password too.
    if context.login_guard.refuses(session.peer_host, account, now_ms):
        return Reply(LOGIN_FAILED)
    kind = None
    if account is not None:
        kind = _check_credentials(session, account, request.password, setup.password_blob)
    if account is None or kind != LoginKind.MASTER:
        context.login_guard.failed(session.peer_host, account, request.login, now_ms)
        return Reply(LOGIN_FAILED)
    now = now_ms / 1000
    try:
        if request.otp_secret:
            if not verify_totp(request.otp_secret, request.otp_secret_check, now):
                return Reply(OTP_INVALID)
            account.otp_secret = request.otp_secret
            return Reply()
        if account.otp_secret is None:
            return Reply()
        if not verify_totp(account.otp_secret, request.otp, now):
            return Reply(OTP_INVALID)
    except OtpError:
        return Reply(OTP_INVALID)
    account.otp_secret = None
    return Reply()


async def handle_verification(session: Session, payload: memoryview) -> Reply:
    """cmds 27 / 40 (spec 3.9.1): the demo server needs no e-mail/phone verification (0, 0)."""
    del session, payload
    return Reply(0, encode_verify_response(VerifyResponse(0, 0)))


def _new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body}a1!"


async def handle_open_demo(session: Session, payload: memoryview) -> Reply:
    """cmd 30 (spec 3.9.2): open a demo account with the form's deposit and leverage."""
    form = decode_open_demo_request(payload)
    engine = session.context.engine
    login = max(engine.accounts, default=5_000_000) + 1
    password, investor = _new_password(), _new_password()
    deposit = form.deposit if 0 < form.deposit <= 1e9 else 100_000.0
    leverage = form.leverage if 1 <= form.leverage <= 3000 else 100
    name = form.full_name.strip() or "Demo Trader"
    engine.add_account(
        AccountConfig(
            login=login,
            password=password,
            balance=deposit,
            leverage=leverage,
            name=name,
            investor_password=investor,
        )
    )
    result = OpenAccountResponse(0, login, password, investor)
    return Reply(0, encode_open_account_response(result))


async def handle_unsupported(session: Session, payload: memoryview) -> Reply:
    """cmd 39 (real account opening): a demo server cannot; answer an error code, not silence."""
    del session, payload
    return Reply(UNSUPPORTED)


async def handle_trader_params(session: Session, payload: memoryview) -> Reply:
    """cmd 41 (spec 3.9.4): two str[32] whose meaning is unknown; we send them empty."""
    del session, payload
    return Reply(0, encode_trader_params(TraderParams("", "")))


async def handle_corporate_links(session: Session, payload: memoryview) -> Reply:
    """cmd 44 (spec 3.9.6): the simulator's company has no links: an empty list."""
    del session, payload
    return Reply(0, encode_corporate_links([]))


AUTH_HANDLERS: dict[int, Handler] = {
    Command.LOGIN: handle_login,
    Command.LOGOUT: handle_logout,
    Command.PING: handle_empty_ok,
    Command.INIT: handle_empty_ok,
    Command.NOTIFY: handle_notify,
    Command.RESERVED_52: handle_reserved_52,
    Command.CHANGE_PASSWORD: handle_change_password,
    Command.OTP_SETUP: handle_otp_setup,
    Command.VERIFY_CODES: handle_verification,
    Command.SUBMIT_CODES: handle_verification,
    Command.OPEN_DEMO: handle_open_demo,
    Command.OPEN_REAL: handle_unsupported,
    Command.TRADER_PARAMS: handle_trader_params,
    Command.CORPORATE_LINKS: handle_corporate_links,
}
