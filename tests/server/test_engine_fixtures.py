"""A hand-driven MarketView for engine tests: real SymbolSpec values, quotes set by the test."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from MetaTrader5.server.accounts import AccountConfig
from MetaTrader5.server.engine import (
    TradeEvent,
    TradeOutcome,
    TradeRequest,
    TradingEngine,
    request_fingerprint,
)
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath.specs import ContractSpec

START_MS = 1_700_000_000_000  # a Tuesday 22:13:20 server time

EURUSD = SymbolSpec(
    name="EURUSD", symbol_id=1, path="Forex\\Majors\\EURUSD", description="Euro vs US Dollar",
    contract=ContractSpec(
        name="EURUSD", calc_mode=0, digits=5, contract_size=100000.0, tick_size=0.00001,
        tick_value=1.0, currency_base="EUR", currency_profit="USD", currency_margin="EUR",
    ),
    spread_points=10, start_price=1.1,
)
USDJPY = SymbolSpec(
    name="USDJPY", symbol_id=2, path="Forex\\Majors\\USDJPY", description="US Dollar vs Yen",
    contract=ContractSpec(
        name="USDJPY", calc_mode=0, digits=3, contract_size=100000.0, tick_size=0.001,
        tick_value=0.67, currency_base="USD", currency_profit="JPY", currency_margin="USD",
    ),
    spread_points=10, start_price=150.0,
)


class Market:
    """MarketView over fixed specs; the test moves prices and the clock by hand."""

    def __init__(self, *specs: SymbolSpec) -> None:
        self.symbols = {s.name: s for s in (specs or (EURUSD, USDJPY))}
        self.quotes: dict[str, tuple[float, float, int]] = {}
        self.now = START_MS
        self.closed: set[str] = set()

    def spec(self, symbol: str) -> SymbolSpec | None:
        return self.symbols.get(symbol)

    def specs(self) -> Iterable[SymbolSpec]:
        return self.symbols.values()

    def quote(self, symbol: str) -> tuple[float, float, int] | None:
        return self.quotes.get(symbol)

    def is_trading(self, symbol: str, server_ms: int) -> bool:
        return symbol not in self.closed

    def now_ms(self) -> int:
        return self.now

    def set(self, symbol: str, bid: float, ask: float) -> None:
        self.quotes[symbol] = (bid, ask, self.now)

    def patch(self, symbol: str, **changes: Any) -> None:
        self.symbols[symbol] = replace(self.symbols[symbol], **changes)


class Rig:
    """An engine with one account on a hand-driven market."""

    LOGIN = 7700123

    def __init__(self, margin_mode: str = "hedging", balance: float = 100000.0,
                 market: Market | None = None, leverage: int = 100,
                 currency: str = "USD") -> None:
        self.market = market or Market()
        self.market.set("EURUSD", 1.10000, 1.10000)
        self.market.set("USDJPY", 150.000, 150.010)
        self.engine = TradingEngine(self.market)
        self.engine.add_account(AccountConfig(
            login=self.LOGIN, password="secret", margin_mode=margin_mode, balance=balance,
            leverage=leverage, currency=currency,
        ))
        self._ids = itertools.count(1000)

    def send(self, **fields: Any) -> tuple[TradeOutcome, list[TradeEvent]]:
        fields.setdefault("request_id", next(self._ids))
        fields.setdefault("type_filling", 2 if fields.get("trade_action") == 5 else 0)
        request = TradeRequest(**fields)
        return self.engine.execute(self.LOGIN, request, fingerprint=request_fingerprint(request))

    def buy(self, volume: float = 1.0, symbol: str = "EURUSD", **kw: Any) -> TradeOutcome:
        return self.send(trade_action=3, symbol=symbol, volume=volume, type=0, **kw)[0]

    def sell(self, volume: float = 1.0, symbol: str = "EURUSD", **kw: Any) -> TradeOutcome:
        return self.send(trade_action=3, symbol=symbol, volume=volume, type=1, **kw)[0]

    def tick(self, bid: float, ask: float, symbol: str = "EURUSD") -> list[TradeEvent]:
        self.market.now += 1000
        self.market.set(symbol, bid, ask)
        return self.engine.on_quote(symbol, bid, ask, self.market.now)

    @property
    def account(self) -> Any:
        return self.engine.account(self.LOGIN)

    @property
    def ledger(self) -> Any:
        return self.engine.ledger(self.LOGIN)
