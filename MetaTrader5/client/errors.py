"""The one error tree of the async client.

Everything the client raises on purpose is a :class:`ClientError`, except decoding failures,
which keep the protocol core's own type (:class:`ProtocolError`, re-exported here) so that a
caller can tell "the peer sent garbage" from "the session is gone"::

    ClientError
    ├── ClientConnectionError        (also a builtin ConnectionError)
    │   ├── NotConnectedError        no session yet, or it is being re-established
    │   ├── ConnectionClosedError    closed locally by close()/logout()
    │   └── ConnectionLostError      the peer or the network dropped the socket; heartbeat expiry
    ├── RequestTimeoutError          (also a builtin TimeoutError) no answer in time (spec 1.6)
    │   └── TradeOutcomeUnknownError a trade was sent but its push 19 never came (spec 3.7.2)
    ├── ServerError(command, code)   the server answered a request with a non-zero code (1.7)
    │   └── AuthenticationError      cmd 28 failed (code 3: bad account or password, ...)
    │       └── OtpRequiredError     code 5 (OTP needed) or 201 (OTP invalid)
    ├── ValidationError(field, reason, retcode)  (also a builtin ValueError) a request
    │                                fails a local check; ``retcode`` is the TRADE_RETCODE_*
    ├── NotFoundError                (also a builtin LookupError) no such ticket
    │   └── SymbolNotFoundError      an unknown symbol name or id
    ├── CallFailedError              the request is valid but cannot be served
    │   ├── NoQuoteError             no tick arrived for a symbol within the wait
    │   ├── TickHistoryUnavailableError  ticks before the stream's first tick (no extension)
    │   ├── SymbolInUseError         deselecting a symbol with positions, orders or a book
    │   ├── BookNotSubscribedError   market_book_get without market_book_add
    │   └── CalculationError         margin/profit math failed (no conversion quote, ...)
    └── TradeRejectedError(retcode, comment)  the server refused a trade (cmd 12 word or push 19)

    ProtocolError                    from MetaTrader5.protocol: malformed frames/bodies

Messages never contain a password, an OTP or a session token.
"""

from __future__ import annotations

from MetaTrader5.protocol.exceptions import ProtocolError

__all__ = [
    "ClientError",
    "ClientConnectionError",
    "NotConnectedError",
    "ConnectionClosedError",
    "ConnectionLostError",
    "RequestTimeoutError",
    "TradeOutcomeUnknownError",
    "ServerError",
    "AuthenticationError",
    "OtpRequiredError",
    "ValidationError",
    "NotFoundError",
    "SymbolNotFoundError",
    "CallFailedError",
    "NoQuoteError",
    "TickHistoryUnavailableError",
    "SymbolInUseError",
    "BookNotSubscribedError",
    "CalculationError",
    "TradeRejectedError",
    "ProtocolError",
    "LOGIN_CODE_TEXTS",
]

#: spec 1.7: meanings of the result-code byte, as the official login UI shows them.
LOGIN_CODE_TEXTS: dict[int, str] = {
    1: "internal error",
    2: "trade server not available",
    3: "invalid account or password",
    5: "account OTP required",
    6: "two-factor authentication must be enabled first",
    9: "SSL-certificate authorization not supported",
    201: "invalid account OTP",
}


class ClientError(Exception):
    """Base of every error the client raises on purpose."""


class ClientConnectionError(ClientError, ConnectionError):
    """The session cannot carry the request (not connected, closed or lost)."""


class NotConnectedError(ClientConnectionError):
    """There is no ready session (never connected, or reconnecting)."""


class ConnectionClosedError(ClientConnectionError):
    """The session was closed locally (``close()`` or ``logout()``)."""


class ConnectionLostError(ClientConnectionError):
    """The socket dropped, or the heartbeat expired (spec 1.8)."""


class RequestTimeoutError(ClientError, TimeoutError):
    """No answer within the request's timeout (local code 408 of spec 1.6)."""

    def __init__(self, command: int, timeout: float) -> None:
        super().__init__(f"command {command} got no answer within {timeout:g} s")
        self.command = command
        self.timeout = timeout


class TradeOutcomeUnknownError(RequestTimeoutError):
    """A trade request was accepted or sent, but its result never arrived.

    The request is *not* re-sent. ``action_id`` identifies it; after a reconnect the client
    looks its fate up (see ``TradingService.resolve_pending``).
    """

    def __init__(self, action_id: int, timeout: float, stage: str) -> None:
        super().__init__(12, timeout)
        self.action_id = action_id
        self.stage = stage
        self.args = (
            f"trade request {action_id}: no result within {timeout:g} s ({stage}); "
            "it was not re-sent and its outcome is unknown",
        )


class ServerError(ClientError):
    """A request was answered with a non-zero result code (spec 1.7)."""

    def __init__(self, command: int, code: int, message: str | None = None) -> None:
        text = message or LOGIN_CODE_TEXTS.get(code, f"error ({code})")
        super().__init__(f"command {command} failed with code {code}: {text}")
        self.command = command
        self.code = code


class AuthenticationError(ServerError):
    """Login (cmd 28) was refused."""

    def __init__(self, code: int) -> None:
        super().__init__(28, code)


class OtpRequiredError(AuthenticationError):
    """The account needs a one-time password (code 5), or the one given was wrong (201)."""


class ValidationError(ClientError, ValueError):
    """A request argument fails a local check; ``field`` names it and ``reason`` says why.

    ``retcode`` is the TRADE_RETCODE_* the terminal reports for it (10013 invalid request
    when nothing more specific applies).
    """

    def __init__(self, field: str, reason: str, retcode: int = 10013) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.retcode = retcode


class NotFoundError(ClientError, LookupError):
    """No order, position or deal with this ticket (module layer: ``()`` / not found)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)


class SymbolNotFoundError(NotFoundError):
    """No symbol with this name or id exists on the server."""

    def __init__(self, symbol: str | int) -> None:
        super().__init__(f"unknown symbol {symbol!r}")
        self.symbol = symbol


class CallFailedError(ClientError):
    """A valid request the client cannot serve (the terminal's "call failed")."""


class NoQuoteError(CallFailedError):
    """No tick arrived for ``symbol`` within ``timeout`` seconds after subscribing."""

    def __init__(self, symbol: str, timeout: float) -> None:
        super().__init__(f"no tick for {symbol!r} within {timeout:g} s of subscribing")
        self.symbol = symbol
        self.timeout = timeout


class TickHistoryUnavailableError(CallFailedError):
    """Tick history before ``since_msc`` is not available.

    Without the simulator's tick-history extension the client only has the ticks the stream
    delivered since it subscribed (spec 6.2: the protocol has no tick-history command).
    """

    def __init__(self, symbol: str, requested_msc: int, since_msc: int | None) -> None:
        limit = "no tick received yet" if since_msc is None else f"first tick at {since_msc} ms"
        super().__init__(
            f"ticks of {symbol!r} from {requested_msc} ms are not available: the server has "
            f"no tick-history command, the stream history starts later ({limit})"
        )
        self.symbol = symbol
        self.requested_msc = requested_msc
        self.since_msc = since_msc


class SymbolInUseError(CallFailedError):
    """A symbol cannot leave the Market Watch while positions, orders or a book use it."""

    def __init__(self, symbol: str, reason: str) -> None:
        super().__init__(f"{symbol!r} cannot be removed: {reason}")
        self.symbol = symbol


class BookNotSubscribedError(CallFailedError):
    """``market_book_get`` before ``market_book_add`` for this symbol."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"no depth-of-market subscription for {symbol!r}")
        self.symbol = symbol


class CalculationError(CallFailedError):
    """Margin, profit or an account figure cannot be computed (missing quote or spec)."""


class TradeRejectedError(ClientError):
    """The server refused a trade request with a final retcode (spec 3.7.1 / 3.7.2)."""

    def __init__(self, retcode: int, comment: str = "", action_id: int = 0) -> None:
        detail = f": {comment}" if comment else ""
        super().__init__(f"trade request rejected with retcode {retcode}{detail}")
        self.retcode = retcode
        self.comment = comment
        self.action_id = action_id


def login_error(code: int) -> AuthenticationError:
    """The exception for a failed cmd 28 with result code ``code`` (spec 3.8.1)."""
    if code in (5, 201):
        return OtpRequiredError(code)
    return AuthenticationError(code)
