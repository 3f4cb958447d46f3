"""Asyncio Web Terminal client (public API: :class:`WebTerminalClient`).

See :mod:`.client` for the lifecycle, :mod:`.errors` for the exception tree and
:mod:`.streams` for the push API.
"""

from .client import WebTerminalClient
from .errors import (
    AuthenticationError,
    ClientConnectionError,
    ClientError,
    ConnectionClosedError,
    ConnectionLostError,
    NotConnectedError,
    OtpRequiredError,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SymbolNotFoundError,
    TradeOutcomeUnknownError,
    TradeRejectedError,
    ValidationError,
)
from .health import Backoff, Health
from .streams import EventStream, Subscription
from .tickstore import TickStore

__all__ = [
    "WebTerminalClient",
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
    "SymbolNotFoundError",
    "TradeRejectedError",
    "ProtocolError",
    "Backoff",
    "Health",
    "EventStream",
    "Subscription",
    "TickStore",
]
