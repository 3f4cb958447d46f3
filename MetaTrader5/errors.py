"""``last_error()`` codes and texts, and THE table mapping our exceptions to them.

Official semantics (API.md 2.2, 8): ``last_error()`` is ``(0, '')`` before any call; every
other module function resets it to ``(1, 'Success')`` on entry; failures never raise, they
return a sentinel and record ``(code, text)``.

Exceptions raised below the module layer (the session seam, later the client and bridge)::

    Mt5WebError
     +-- NotConnectedError          -10004  No IPC connection
     +-- InitializeError(detail)    -10003  IPC initialize failed, <detail>
     +-- CallTimeoutError           -10005  IPC timeout
     +-- ConnectionLostError        -10002  IPC recv failed
     +-- SendFailedError            -10001  IPC send failed
     +-- InternalCallError          -10000  IPC call failed
     +-- TerminalError(code)        <code>  generic terminal text of <code> (section 8)
          +-- CallFailedError           -1  Terminal: Call failed
          +-- InvalidParamsError        -2  Terminal: Invalid params
          +-- NoMemoryError             -3  Terminal: Out of memory
          +-- NotFoundError             -4  Terminal: Not found
          +-- InvalidVersionError       -5  Terminal: Incompatible versions, ...
          +-- AuthorizationError        -6  Terminal: Authorization failed
          +-- UnsupportedError          -7  Terminal: Unsupported function
          |    +-- OtpRequiredError     -7  Unsupported authorization mode, OTP or ...
          +-- AutoTradingDisabledError  -8  Auto-Trading using Python API disabled in Terminal

Built-in ``TimeoutError`` and ``ConnectionError`` are mapped too, so a lower layer that lets
one escape still yields a sentinel, never an exception. Only :func:`error_for` (used by
``MetaTrader5.terminal``) turns an exception into ``(code, text)``.

The same table holds the exceptions of the lazily imported layers - the bridge
(``MetaTrader5._bridge``), the async client (``MetaTrader5.client.errors``) and the protocol
core - keyed by their dotted class name, so that ``import MetaTrader5`` does not import
asyncio, websockets or the client just to build this table::

    bridge  BridgeTimeoutError -10005, BridgeClosedError -10004, BridgeError -10000
    client  NotConnectedError / ConnectionClosedError -10004, ConnectionLostError -10002,
            RequestTimeoutError (and TradeOutcomeUnknownError) -10005,
            AuthenticationError -6, OtpRequiredError -7 (login text), ServerError -1,
            ValidationError -2, NotFoundError -4 (a ticket; the Terminal turns it into
            ``()``), SymbolNotFoundError -1 (API.md 2.2), CallFailedError and its
            subclasses -1, TradeRejectedError -1, any other ClientError -10000
    protocol  RemoteProtocolError -10002 (the answer could not be read),
              ProtocolError -10000
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

__all__ = [
    "ERROR_TEXTS",
    "ERROR_NAMES",
    "NEVER_CALLED",
    "SUCCESS",
    "error_text",
    "LastError",
    "Mt5WebError",
    "NotConnectedError",
    "InitializeError",
    "CallTimeoutError",
    "ConnectionLostError",
    "SendFailedError",
    "InternalCallError",
    "TerminalError",
    "CallFailedError",
    "InvalidParamsError",
    "NoMemoryError",
    "NotFoundError",
    "InvalidVersionError",
    "AuthorizationError",
    "UnsupportedError",
    "OtpRequiredError",
    "AutoTradingDisabledError",
    "ERROR_TABLE",
    "error_for",
]

#: Generic text of each official code (API.md 8; mt5_api.json "errors"). -10003 carries a
#: detail after the comma ("IPC initialize failed, %s" in the binary).
ERROR_TEXTS: Final[Mapping[int, str]] = {
    1: "Success",
    -1: "Terminal: Call failed",
    -2: "Terminal: Invalid params",
    -3: "Terminal: Out of memory",
    -4: "Terminal: Not found",
    -5: "Terminal: Incompatible versions, please install the latest version of Terminal "
    "and Python module",
    -6: "Terminal: Authorization failed",
    -7: "Terminal: Unsupported function",
    -8: "Terminal: Call failed",
    -10000: "IPC call failed",
    -10001: "IPC send failed",
    -10002: "IPC recv failed",
    -10003: "IPC initialize failed, %s",
    -10004: "No IPC connection",
    -10005: "IPC timeout",
}

#: ``RES_*`` constant name of each code.
ERROR_NAMES: Final[Mapping[int, str]] = {
    1: "RES_S_OK",
    -1: "RES_E_FAIL",
    -2: "RES_E_INVALID_PARAMS",
    -3: "RES_E_NO_MEMORY",
    -4: "RES_E_NOT_FOUND",
    -5: "RES_E_INVALID_VERSION",
    -6: "RES_E_AUTH_FAILED",
    -7: "RES_E_UNSUPPORTED",
    -8: "RES_E_AUTO_TRADING_DISABLED",
    -10000: "RES_E_INTERNAL_FAIL",
    -10001: "RES_E_INTERNAL_FAIL_SEND",
    -10002: "RES_E_INTERNAL_FAIL_RECEIVE",
    -10003: "RES_E_INTERNAL_FAIL_INIT",
    -10004: "RES_E_INTERNAL_FAIL_CONNECT",
    -10005: "RES_E_INTERNAL_FAIL_TIMEOUT",
}

#: ``last_error()`` before any other module function was called.
NEVER_CALLED: Final = (0, "")
#: ``last_error()`` after a call that succeeded.
SUCCESS: Final = (1, "Success")

_FAIL_TEXT = "Terminal: Call failed"


def error_text(code: int) -> str:
    """Return the generic text of ``code``; unlisted negative codes read 'Terminal: Call failed'."""
    return ERROR_TEXTS.get(code, _FAIL_TEXT)


class LastError:
    """The ``last_error()`` store of one Terminal (the default one is process-global)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: tuple[int, str] = NEVER_CALLED

    def get(self) -> tuple[int, str]:
        """Return the current ``(code, text)``."""
        return self.value

    def set(self, code: int, text: str) -> None:
        """Record ``(code, text)``; a tuple assignment is atomic, so threads see either one."""
        self.value = (code, text)

    def success(self) -> None:
        """Reset to ``(1, 'Success')`` (done on entry of every module function)."""
        self.value = SUCCESS


class Mt5WebError(Exception):
    """Base of every error the session seam raises; mapped by :data:`ERROR_TABLE`."""


class NotConnectedError(Mt5WebError):
    """No session: the call came before ``initialize()`` or after ``shutdown()``."""


class InitializeError(Mt5WebError):
    """``initialize()`` could not open a session; ``detail`` completes the official text."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CallTimeoutError(Mt5WebError):
    """The peer did not answer in time."""


class ConnectionLostError(Mt5WebError):
    """The connection broke while waiting for an answer."""


class SendFailedError(Mt5WebError):
    """The request could not be sent."""


class InternalCallError(Mt5WebError):
    """The call failed inside our own transport layer."""


class TerminalError(Mt5WebError):
    """The terminal (server side) answered with a negative result ``code``."""

    default_code = -1

    def __init__(self, message: str = "", *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = self.default_code if code is None else code


class CallFailedError(TerminalError):
    """Generic terminal failure (-1)."""


class InvalidParamsError(TerminalError):
    """The terminal rejected the parameters (-2)."""

    default_code = -2


class NoMemoryError(TerminalError):
    """The terminal ran out of memory (-3)."""

    default_code = -3


class NotFoundError(TerminalError):
    """The requested object does not exist (-4)."""

    default_code = -4


class InvalidVersionError(TerminalError):
    """Incompatible terminal version (-5)."""

    default_code = -5


class AuthorizationError(TerminalError):
    """Wrong login, password or server (-6)."""

    default_code = -6


class UnsupportedError(TerminalError):
    """The terminal does not support the function (-7)."""

    default_code = -7


class OtpRequiredError(UnsupportedError):
    """The account needs an OTP or a certificate password (-7, login-specific text)."""


class AutoTradingDisabledError(TerminalError):
    """Trading through the Python API is disabled (-8, order_send text)."""

    default_code = -8


_Mapper = Callable[[BaseException], tuple[int, str]]

_OTP_TEXT = "Unsupported authorization mode, OTP or certificate password needed"
_BRIDGE = "MetaTrader5._bridge."
_CLIENT = "MetaTrader5.client.errors."
_PROTOCOL = "MetaTrader5.protocol.exceptions."


def _fixed(code: int, text: str | None = None) -> _Mapper:
    pair = (code, error_text(code) if text is None else text)
    return lambda _exc: pair


def _initialize_failed(exc: BaseException) -> tuple[int, str]:
    detail = exc.detail if isinstance(exc, InitializeError) else str(exc)
    return (-10003, ERROR_TEXTS[-10003] % detail)


def _terminal_code(exc: BaseException) -> tuple[int, str]:
    code = exc.code if isinstance(exc, TerminalError) else -1
    return (code, error_text(code))


#: THE table: exception type (or, for lazily imported layers, its dotted class name) ->
#: (code, text). Looked up along the exception's MRO, so the most specific entry wins. Lower
#: layers add their typed exceptions here, never elsewhere.
ERROR_TABLE: Final[dict[type[BaseException] | str, _Mapper]] = {
    NotConnectedError: _fixed(-10004),
    InitializeError: _initialize_failed,
    CallTimeoutError: _fixed(-10005),
    ConnectionLostError: _fixed(-10002),
    SendFailedError: _fixed(-10001),
    InternalCallError: _fixed(-10000),
    TerminalError: _terminal_code,
    OtpRequiredError: _fixed(-7, _OTP_TEXT),
    AutoTradingDisabledError: _fixed(-8, "Auto-Trading using Python API disabled in Terminal"),
    Mt5WebError: _fixed(-10000),
    TimeoutError: _fixed(-10005),
    ConnectionError: _fixed(-10002),
    # The bridge (spec: ARCHITECTURE "bridge"): a call that outlived its timeout, or a bridge
    # that is stopped (interpreter exit) or was called from its own thread.
    _BRIDGE + "BridgeTimeoutError": _fixed(-10005),
    _BRIDGE + "BridgeClosedError": _fixed(-10004),
    _BRIDGE + "BridgeError": _fixed(-10000),
    # The async client (contracts.md "The async client facade").
    _CLIENT + "NotConnectedError": _fixed(-10004),
    _CLIENT + "ConnectionClosedError": _fixed(-10004),
    _CLIENT + "ConnectionLostError": _fixed(-10002),
    _CLIENT + "ClientConnectionError": _fixed(-10002),
    _CLIENT + "RequestTimeoutError": _fixed(-10005),
    _CLIENT + "AuthenticationError": _fixed(-6),
    _CLIENT + "OtpRequiredError": _fixed(-7, _OTP_TEXT),
    _CLIENT + "ServerError": _fixed(-1),
    _CLIENT + "ValidationError": _fixed(-2),
    _CLIENT + "NotFoundError": _fixed(-4),
    _CLIENT + "SymbolNotFoundError": _fixed(-1),
    _CLIENT + "CallFailedError": _fixed(-1),
    _CLIENT + "TradeRejectedError": _fixed(-1),
    _CLIENT + "ClientError": _fixed(-10000),
    # The protocol core: an answer we cannot decode is a failed receive.
    _PROTOCOL + "RemoteProtocolError": _fixed(-10002),
    _PROTOCOL + "ProtocolError": _fixed(-10000),
}


def error_for(exc: BaseException) -> tuple[int, str] | None:
    """Return the ``(code, text)`` of ``exc``, or None when the table has no entry for it.

    None means "not a failure we translate": the caller lets the exception propagate, so
    a programming error is never disguised as a terminal error.
    """
    for cls in type(exc).__mro__:
        mapper = ERROR_TABLE.get(cls) or ERROR_TABLE.get(f"{cls.__module__}.{cls.__qualname__}")
        if mapper is not None:
            return mapper(exc)
    return None
