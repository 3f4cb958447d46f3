"""Non-forex part of the simulator's catalogue: metals, index CFDs, crypto CFDs, US stock CFDs.

Terms mirror common retail MT5 demo servers: metals are margined like forex (base XAU/XAG,
margin in the metal), indices and crypto are leveraged CFDs (``SYMBOL_CALC_MODE_CFDLEVERAGE``),
stocks are unleveraged CFDs with a 20 % margin rate (``SYMBOL_CALC_MODE_CFD``). Tick size is
the point everywhere; ``tick_value`` is in the profit currency (contract size x tick size).
"""

from __future__ import annotations

from MetaTrader5.constants import (
    SYMBOL_CALC_MODE_CFD,
    SYMBOL_CALC_MODE_CFDLEVERAGE,
    SYMBOL_CALC_MODE_FOREX,
    SYMBOL_SWAP_MODE_INTEREST_CURRENT,
    SYMBOL_SWAP_MODE_POINTS,
)
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath.specs import ContractSpec

__all__ = ["crypto_symbols", "index_symbols", "metal_symbols", "stock_symbols"]

_FOK = 1
_IOC = 2
_GTC_DAY = 1 | 2
_SWAP_TRIPLE_FRIDAY = 5
_SWAP_TRIPLE_NONE = 7  # spec 3.3.2 swap_rollover3days: 7 = disabled


def _contract(
    name: str,
    calc_mode: int,
    digits: int,
    contract_size: float,
    currencies: tuple[str, str, str],
    *,
    margin_rate: float = 1.0,
) -> ContractSpec:
    """Contract terms; ``currencies`` = (base, profit, margin)."""
    base, profit, margin = currencies
    point = 10.0**-digits
    return ContractSpec(
        name=name,
        calc_mode=calc_mode,
        digits=digits,
        contract_size=contract_size,
        tick_size=point,
        tick_value=round(contract_size * point, 10),
        currency_base=base,
        currency_profit=profit,
        currency_margin=margin,
        margin_hedged=contract_size / 2.0 if calc_mode == SYMBOL_CALC_MODE_FOREX else 0.0,
        margin_rates_initial=(margin_rate,) * 8,
        margin_rates_maintenance=(margin_rate,) * 8,
    )


# (name, id, description, digits, contract size, base, quote, spread, start, volatility,
#  swap long, swap short)
_METALS: tuple[tuple[str, int, str, int, float, str, str, int, float, float, float, float], ...] = (
    ("XAUUSD", 100, "Gold vs US Dollar", 2, 100.0, "XAU", "USD", 25, 2350.0, 0.15, -45.0, 18.0),
    ("XAGUSD", 101, "Silver vs US Dollar", 3, 5000.0, "XAG", "USD", 30, 28.0, 0.28, -8.0, 2.5),
    ("XAUEUR", 102, "Gold vs Euro", 2, 100.0, "XAU", "EUR", 45, 2165.0, 0.14, -40.0, 12.0),
    ("XPTUSD", 103, "Platinum vs US Dollar", 2, 100.0, "XPT", "USD", 350, 980.0, 0.25, -20, 5),
    ("XPDUSD", 104, "Palladium vs US Dollar", 2, 100.0, "XPD", "USD", 900, 1000.0, 0.35, -25, 6),
)


def metal_symbols() -> tuple[SymbolSpec, ...]:
    """Spot metals under ``Metals``."""
    out = []
    for name, sid, desc, digits, size, base, quote, spread, start, vol, sl, ss in _METALS:
        out.append(
            SymbolSpec(
                name=name,
                symbol_id=sid,
                path=f"Metals\\{name}",
                description=desc,
                contract=_contract(name, SYMBOL_CALC_MODE_FOREX, digits, size, (base, quote, base)),
                spread_points=spread,
                start_price=start,
                volatility=vol,
                category="Metals",
                volume_max=50.0,
                stops_level=20,
                freeze_level=0,
                swap_mode=SYMBOL_SWAP_MODE_POINTS,
                swap_long=sl,
                swap_short=ss,
            )
        )
    return tuple(out)


# (name, id, description, currency, digits, spread, start, volatility)
_INDICES: tuple[tuple[str, int, str, str, int, int, float, float], ...] = (
    ("US30", 200, "Dow Jones Industrial Average Index", "USD", 2, 200, 39000.0, 0.16),
    ("US500", 201, "S&P 500 Index", "USD", 2, 50, 5200.0, 0.18),
    ("USTEC", 202, "Nasdaq 100 Index", "USD", 2, 150, 18000.0, 0.22),
    ("DE40", 203, "Germany 40 Index", "EUR", 2, 150, 18000.0, 0.18),
    ("UK100", 204, "UK 100 Index", "GBP", 2, 120, 8000.0, 0.15),
    ("JP225", 205, "Japan 225 Index", "JPY", 1, 100, 38000.0, 0.22),
    ("FRA40", 206, "France 40 Index", "EUR", 2, 150, 7800.0, 0.17),
    ("EU50", 207, "Euro Stoxx 50 Index", "EUR", 2, 200, 4900.0, 0.17),
)


def index_symbols() -> tuple[SymbolSpec, ...]:
    """Cash index CFDs under ``Indices`` (1 unit of the index per lot)."""
    out = []
    for name, sid, desc, ccy, digits, spread, start, vol in _INDICES:
        out.append(
            SymbolSpec(
                name=name,
                symbol_id=sid,
                path=f"Indices\\{name}",
                description=desc,
                contract=_contract(name, SYMBOL_CALC_MODE_CFDLEVERAGE, digits, 1.0, (ccy,) * 3),
                spread_points=spread,
                start_price=start,
                volatility=vol,
                basis=name,
                category="Indices",
                volume_min=0.1,
                volume_max=500.0,
                volume_step=0.1,
                stops_level=200,
                freeze_level=50,
                swap_mode=SYMBOL_SWAP_MODE_INTEREST_CURRENT,
                swap_long=-5.5,
                swap_short=-1.5,
                swap_rollover3days=_SWAP_TRIPLE_FRIDAY,
            )
        )
    return tuple(out)


# (name, id, description, digits, contract size, spread, start, volatility, volume max)
_CRYPTO: tuple[tuple[str, int, str, int, float, int, float, float, float], ...] = (
    ("BTCUSD", 300, "Bitcoin vs US Dollar", 2, 1.0, 2500, 65000.0, 0.60, 20.0),
    ("ETHUSD", 301, "Ethereum vs US Dollar", 2, 1.0, 250, 3200.0, 0.75, 200.0),
    ("LTCUSD", 302, "Litecoin vs US Dollar", 2, 1.0, 30, 80.0, 0.80, 1000.0),
    ("BCHUSD", 303, "Bitcoin Cash vs US Dollar", 2, 1.0, 100, 400.0, 0.85, 500.0),
    ("SOLUSD", 304, "Solana vs US Dollar", 2, 1.0, 50, 150.0, 0.95, 1000.0),
    ("XRPUSD", 305, "Ripple vs US Dollar", 5, 1000.0, 300, 0.55, 0.85, 500.0),
    ("ADAUSD", 306, "Cardano vs US Dollar", 5, 1000.0, 200, 0.45, 0.90, 500.0),
    ("DOGEUSD", 307, "Dogecoin vs US Dollar", 5, 1000.0, 100, 0.15, 1.00, 500.0),
)


def crypto_symbols() -> tuple[SymbolSpec, ...]:
    """Crypto CFDs under ``Crypto`` (FOK filling only, as many brokers configure them)."""
    out = []
    for name, sid, desc, digits, size, spread, start, vol, vmax in _CRYPTO:
        base = name[:-3]
        out.append(
            SymbolSpec(
                name=name,
                symbol_id=sid,
                path=f"Crypto\\{name}",
                description=desc,
                contract=_contract(
                    name, SYMBOL_CALC_MODE_CFDLEVERAGE, digits, size, (base, "USD", "USD")
                ),
                spread_points=spread,
                start_price=start,
                volatility=vol,
                basis=base,
                category="Crypto",
                fill_flags=_FOK,
                volume_max=vmax,
                stops_level=500,
                freeze_level=0,
                swap_mode=SYMBOL_SWAP_MODE_INTEREST_CURRENT,
                swap_long=-20.0,
                swap_short=-12.0,
                swap_rollover3days=_SWAP_TRIPLE_NONE,
            )
        )
    return tuple(out)


# (name, id, description, exchange, ISIN, start, volatility)
_STOCKS: tuple[tuple[str, int, str, str, str, float, float], ...] = (
    ("AAPL", 400, "Apple Inc.", "NASDAQ", "US0378331005", 190.0, 0.28),
    ("MSFT", 401, "Microsoft Corporation", "NASDAQ", "US5949181045", 420.0, 0.25),
    ("TSLA", 402, "Tesla, Inc.", "NASDAQ", "US88160R1014", 180.0, 0.55),
    ("AMZN", 403, "Amazon.com, Inc.", "NASDAQ", "US0231351067", 180.0, 0.32),
    ("GOOGL", 404, "Alphabet Inc. Class A", "NASDAQ", "US02079K3059", 170.0, 0.30),
    ("NVDA", 405, "NVIDIA Corporation", "NASDAQ", "US67066G1040", 120.0, 0.50),
    ("META", 406, "Meta Platforms, Inc.", "NASDAQ", "US30303M1027", 480.0, 0.38),
    ("NFLX", 407, "Netflix, Inc.", "NASDAQ", "US64110L1061", 620.0, 0.38),
    ("JPM", 408, "JPMorgan Chase & Co.", "NYSE", "US46625H1005", 200.0, 0.24),
    ("KO", 409, "The Coca-Cola Company", "NYSE", "US1912161007", 62.0, 0.16),
)


def stock_symbols() -> tuple[SymbolSpec, ...]:
    """US share CFDs under ``Stocks\\US``: 1 share per lot, whole lots, IOC filling, 5:1."""
    out = []
    for name, sid, desc, exchange, isin, start, vol in _STOCKS:
        out.append(
            SymbolSpec(
                name=name,
                symbol_id=sid,
                path=f"Stocks\\US\\{name}",
                description=desc,
                contract=_contract(
                    name, SYMBOL_CALC_MODE_CFD, 2, 1.0, ("USD",) * 3, margin_rate=0.2
                ),
                spread_points=4,
                start_price=start,
                volatility=vol,
                basis=name,
                category="Stocks",
                exchange=exchange,
                isin=isin,
                fill_flags=_IOC,
                time_flags=_GTC_DAY,
                volume_min=1.0,
                volume_max=10000.0,
                volume_step=1.0,
                stops_level=10,
                freeze_level=0,
                swap_mode=SYMBOL_SWAP_MODE_INTEREST_CURRENT,
                swap_long=-6.0,
                swap_short=-3.0,
                swap_rollover3days=_SWAP_TRIPLE_FRIDAY,
                book_depth=10,
            )
        )
    return tuple(out)
