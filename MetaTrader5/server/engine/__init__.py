"""The simulator's order-matching engine (pure Python, no networking).

Public surface: ``TradingEngine`` and the value types it exchanges with the protocol layer.
"""

from MetaTrader5.server.engine._dedupe import DedupeWindow
from MetaTrader5.server.engine._risk import AccountState
from MetaTrader5.server.engine.core import EngineError, TradingEngine, UnknownAccountError
from MetaTrader5.server.engine.types import (
    EventKind,
    MarketView,
    TradeEvent,
    TradeOutcome,
    TradeRequest,
    request_fingerprint,
)

__all__ = [
    "AccountState",
    "DedupeWindow",
    "EngineError",
    "EventKind",
    "MarketView",
    "TradeEvent",
    "TradeOutcome",
    "TradeRequest",
    "TradingEngine",
    "UnknownAccountError",
    "request_fingerprint",
]
