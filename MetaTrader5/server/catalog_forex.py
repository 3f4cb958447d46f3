"""Forex part of the simulator's symbol catalogue: 28 major/cross pairs and some exotics.

Contract terms follow what retail MT5 demo servers publish: 100 000 units per lot, 5 digits
(3 for JPY quotes), tick size = point, 0.01 lot steps, market execution, FOK|IOC filling
(RETURN is always accepted for market orders, see ``SymbolSpec.fill_flags``), every
expiration mode, swaps in points with triple swap on Wednesday.

``tick_value`` is expressed in the *profit* currency (contract size x tick size); the trade
math converts it to the deposit currency from live quotes, as the Web Terminal does.
"""

from __future__ import annotations

from MetaTrader5.constants import SYMBOL_CALC_MODE_FOREX
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath.specs import ContractSpec

__all__ = ["CURRENCY_NAMES", "USD_VALUE", "forex_symbols"]

#: Plausible value of one unit of each currency in USD; crosses are derived from it, so the
#: start prices of the 28 pairs are triangularly consistent.
USD_VALUE: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.0850,
    "GBP": 1.2700,
    "JPY": 1.0 / 150.00,
    "CHF": 1.0 / 0.8800,
    "AUD": 0.6600,
    "CAD": 1.0 / 1.3600,
    "NZD": 0.6100,
    "RUB": 1.0 / 90.00,
    "TRY": 1.0 / 32.00,
    "ZAR": 1.0 / 18.50,
    "MXN": 1.0 / 17.20,
    "SEK": 1.0 / 10.50,
    "NOK": 1.0 / 10.60,
    "PLN": 1.0 / 4.00,
    "HKD": 1.0 / 7.82,
    "SGD": 1.0 / 1.35,
    "CNH": 1.0 / 7.20,
    "DKK": 1.0 / 6.88,
    "HUF": 1.0 / 360.0,
}

CURRENCY_NAMES: dict[str, str] = {
    "USD": "US Dollar",
    "EUR": "Euro",
    "GBP": "Great Britain Pound",
    "JPY": "Japanese Yen",
    "CHF": "Swiss Franc",
    "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar",
    "NZD": "New Zealand Dollar",
    "RUB": "Russian Ruble",
    "TRY": "Turkish Lira",
    "ZAR": "South African Rand",
    "MXN": "Mexican Peso",
    "SEK": "Swedish Krona",
    "NOK": "Norwegian Krone",
    "PLN": "Polish Zloty",
    "HKD": "Hong Kong Dollar",
    "SGD": "Singapore Dollar",
    "CNH": "Chinese Yuan Offshore",
    "DKK": "Danish Krone",
    "HUF": "Hungarian Forint",
    "XAU": "Gold",
    "XAG": "Silver",
}

# (name, id, typical spread in points, annual volatility, swap long, swap short) - ids are
# fixed here, never computed from the list order, so adding a symbol never renumbers others.
_MAJORS: tuple[tuple[str, int, int, float, float, float], ...] = (
    ("EURUSD", 1, 10, 0.07, -7.2, 2.1),
    ("GBPUSD", 2, 14, 0.08, -4.1, -1.3),
    ("USDJPY", 3, 12, 0.09, 14.6, -28.9),
    ("USDCHF", 4, 15, 0.07, 5.9, -13.4),
    ("AUDUSD", 5, 13, 0.10, -3.0, -1.9),
    ("USDCAD", 6, 18, 0.06, 1.2, -8.6),
    ("NZDUSD", 7, 18, 0.10, -2.4, -2.0),
)

_CROSSES: tuple[tuple[str, int, int, float, float, float], ...] = (
    ("EURGBP", 20, 15, 0.06, -6.0, 0.9),
    ("EURJPY", 21, 20, 0.09, 6.5, -17.8),
    ("GBPJPY", 22, 28, 0.11, 9.4, -25.2),
    ("EURCAD", 23, 30, 0.07, -11.3, 3.2),
    ("EURAUD", 24, 30, 0.09, -12.8, 4.0),
    ("EURCHF", 25, 20, 0.06, 1.1, -9.7),
    ("EURNZD", 26, 40, 0.09, -14.9, 4.6),
    ("GBPCHF", 27, 30, 0.08, 3.9, -13.5),
    ("GBPAUD", 28, 35, 0.10, -8.7, 1.2),
    ("GBPCAD", 29, 35, 0.08, -6.3, -0.8),
    ("GBPNZD", 30, 50, 0.10, -10.2, 2.4),
    ("AUDJPY", 31, 20, 0.12, 6.1, -15.0),
    ("AUDCHF", 32, 25, 0.10, 2.3, -8.4),
    ("AUDCAD", 33, 25, 0.08, -2.6, -3.1),
    ("AUDNZD", 34, 30, 0.06, -4.5, -0.6),
    ("CADJPY", 35, 25, 0.10, 5.2, -14.1),
    ("CADCHF", 36, 25, 0.08, 1.8, -7.9),
    ("CHFJPY", 37, 30, 0.09, -4.3, -6.6),
    ("NZDJPY", 38, 25, 0.12, 4.8, -12.2),
    ("NZDCHF", 39, 30, 0.10, 1.5, -7.3),
    ("NZDCAD", 40, 30, 0.09, -2.2, -3.6),
)

_EXOTICS: tuple[tuple[str, int, int, float, float, float], ...] = (
    ("USDRUB", 60, 3500, 0.25, 180.0, -520.0),
    ("EURRUB", 61, 4500, 0.25, 150.0, -560.0),
    ("USDTRY", 62, 1500, 0.20, -3100.0, 450.0),
    ("EURTRY", 63, 2500, 0.20, -3500.0, 520.0),
    ("USDZAR", 64, 900, 0.15, -190.0, 60.0),
    ("USDMXN", 65, 700, 0.13, -260.0, 80.0),
    ("USDSEK", 66, 400, 0.10, 12.0, -65.0),
    ("USDNOK", 67, 450, 0.11, 8.0, -60.0),
    ("USDPLN", 68, 350, 0.10, -28.0, 4.0),
    ("USDHKD", 69, 300, 0.01, -2.5, -12.0),
    ("USDSGD", 70, 60, 0.05, 3.5, -18.0),
    ("USDCNH", 71, 250, 0.05, 22.0, -95.0),
    ("EURPLN", 72, 450, 0.06, -26.0, 2.0),
    ("EURHUF", 73, 800, 0.08, -40.0, 5.0),
    ("USDDKK", 74, 400, 0.07, 10.0, -45.0),
    # EURHUF profit converts to USD (and other deposit currencies) through USDHUF.
    ("USDHUF", 75, 700, 0.09, -45.0, 6.0),
)

#: Exotic pairs whose price is quoted with 4 digits rather than 5 (large quote values).
_FOUR_DIGITS = frozenset({"USDRUB", "EURRUB"})
_THREE_DIGITS = frozenset({"EURHUF", "USDHUF"})


def _digits(name: str) -> int:
    if name.endswith("JPY") or name in _THREE_DIGITS:
        return 3
    if name in _FOUR_DIGITS:
        return 4
    return 5


def _pair(
    row: tuple[str, int, int, float, float, float], folder: str, exotic: bool
) -> SymbolSpec:
    name, symbol_id, spread, vol, swap_long, swap_short = row
    base, quote = name[:3], name[3:]
    digits = _digits(name)
    point = 10.0**-digits
    contract_size = 100_000.0
    contract = ContractSpec(
        name=name,
        calc_mode=SYMBOL_CALC_MODE_FOREX,
        digits=digits,
        contract_size=contract_size,
        tick_size=point,
        tick_value=round(contract_size * point, 8),
        currency_base=base,
        currency_profit=quote,
        currency_margin=base,
        margin_hedged=contract_size / 2.0,
    )
    return SymbolSpec(
        name=name,
        symbol_id=symbol_id,
        path=f"Forex\\{folder}\\{name}",
        description=f"{CURRENCY_NAMES[base]} vs {CURRENCY_NAMES[quote]}",
        contract=contract,
        spread_points=spread,
        start_price=round(USD_VALUE[base] / USD_VALUE[quote], digits),
        volatility=vol,
        basis="",
        category="Forex",
        exchange="",
        volume_min=0.01,
        volume_max=50.0 if exotic else 100.0,
        volume_step=0.01,
        stops_level=100 if exotic else (10 if folder == "Majors" else 15),
        freeze_level=20 if exotic else 0,
        swap_long=swap_long,
        swap_short=swap_short,
        swap_rollover3days=3,
    )


def forex_symbols() -> tuple[SymbolSpec, ...]:
    """The forex symbols: majors, crosses, exotics (schedule: around the clock)."""
    majors = tuple(_pair(row, "Majors", False) for row in _MAJORS)
    crosses = tuple(_pair(row, "Crosses", False) for row in _CROSSES)
    exotics = tuple(_pair(row, "Exotics", True) for row in _EXOTICS)
    return majors + crosses + exotics
