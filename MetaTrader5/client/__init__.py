"""Asyncio Web Terminal client (public API: :class:`WebTerminalClient`).

See :mod:`.client` for the facade (the async twin of ``MetaTrader5._session.Session``),
:mod:`._core` for the lifecycle and reconnect, :mod:`.errors` for the exception tree and
:mod:`.streams` for the push API.
"""

from .account import TradeEvent
from .client import WebTerminalClient
from .errors import (
    AuthenticationError,
    BookNotSubscribedError,
    CalculationError,
    CallFailedError,
    ClientConnectionError,
    ClientError,
    ConnectionClosedError,
    ConnectionLostError,
    NoQuoteError,
    NotConnectedError,
    NotFoundError,
    OtpRequiredError,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SymbolInUseError,
    SymbolNotFoundError,
    TickHistoryUnavailableError,
    TradeOutcomeUnknownError,
    TradeRejectedError,
    ValidationError,
)
from .health import Backoff, Health
from .streams import EventStream, Subscription
from .tickstore import TickStore
from .trading import TradeFate

__all__ = [
    "WebTerminalClient",
    "TradeEvent",
    "TradeFate",
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
    "Backoff",
    "Health",
    "EventStream",
    "Subscription",
    "TickStore",
]
