"""The simulator's description of one tradable symbol: contract, trading rules and sessions.

One ``SymbolSpec`` drives everything the server says about a symbol: the symbol list (spec
3.4.2), the full-symbol record (3.4.3, with its trade-settings block 3.3.2 and schedule 3.4.4),
the price feed and the order engine's checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from MetaTrader5.trademath.specs import ContractSpec

__all__ = ["ALL_DAY", "SymbolSpec", "TradingSessions"]

#: One session covering the whole day, in minutes from 00:00 server time (spec 3.4.4).
ALL_DAY: tuple[tuple[int, int], ...] = ((0, 1440),)


@dataclass(frozen=True, slots=True)
class TradingSessions:
    """Quote and trade sessions per weekday (index 0 = Sunday), minutes from server midnight."""

    quote: tuple[tuple[tuple[int, int], ...], ...] = (ALL_DAY,) * 7
    trade: tuple[tuple[tuple[int, int], ...], ...] = (ALL_DAY,) * 7

    def is_trading(self, weekday_sunday0: int, minute_of_day: int) -> bool:
        return any(start <= minute_of_day < end for start, end in self.trade[weekday_sunday0])

    def is_quoting(self, weekday_sunday0: int, minute_of_day: int) -> bool:
        return any(start <= minute_of_day < end for start, end in self.quote[weekday_sunday0])


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    """A symbol of the simulated market. Volumes are in lots here; the wire uses 10^-8 lots."""

    name: str
    symbol_id: int
    path: str  # e.g. "Forex\\Majors\\EURUSD"; the folders define the symbol groups
    description: str
    contract: ContractSpec
    #: Typical spread in points, and the price the deterministic feed starts from.
    spread_points: int
    start_price: float
    #: Annualised volatility used by the seeded price path.
    volatility: float = 0.08
    basis: str = ""
    category: str = ""
    exchange: str = ""
    isin: str = ""
    sector: int = 0
    trade_mode: int = 4  # SYMBOL_TRADE_MODE_FULL
    exemode: int = 2  # SYMBOL_TRADE_EXECUTION_MARKET
    fill_flags: int = 1 | 2  # FOK | IOC (RETURN is always allowed for market orders here)
    time_flags: int = 1 | 2 | 4 | 8  # GTC | DAY | SPECIFIED | SPECIFIED_DAY
    order_flags: int = 127  # market, limit, stop, stop-limit, SL, TP, close-by
    gtc_mode: int = 0
    volume_min: float = 0.01
    volume_max: float = 100.0
    volume_step: float = 0.01
    volume_limit: float = 0.0
    stops_level: int = 0
    freeze_level: int = 0
    swap_mode: int = 1  # SYMBOL_SWAP_MODE_POINTS
    swap_long: float = 0.0
    swap_short: float = 0.0
    swap_rollover3days: int = 3  # Wednesday
    commission_per_lot: float = 0.0  # account currency, charged per side
    book_depth: int = 10
    chart_mode: int = 0
    sessions: TradingSessions = field(default_factory=TradingSessions)

    @property
    def digits(self) -> int:
        return self.contract.digits

    @property
    def point(self) -> float:
        return self.contract.point
