"""A small hand-made market for the trademath tests: specs, quotes and accounts.

Quotes are fixed numbers so every expected value in the tests can be worked out by hand.
"""

from __future__ import annotations

from MetaTrader5.trademath import AccountTerms, CalcMode, ContractSpec, SymbolIndex


def fx(name: str, base: str, profit: str, digits: int = 5, **kw: object) -> ContractSpec:
    fields: dict[str, object] = {
        "name": name,
        "calc_mode": CalcMode.FOREX,
        "digits": digits,
        "contract_size": 100_000.0,
        "tick_size": 10.0**-digits,
        "tick_value": 100_000.0 * 10.0**-digits,
        "currency_base": base,
        "currency_profit": profit,
        "currency_margin": base,
    }
    fields.update(kw)
    return ContractSpec(**fields)  # type: ignore[arg-type]


EURUSD = fx("EURUSD", "EUR", "USD")
USDJPY = fx("USDJPY", "USD", "JPY", digits=3)
GBPUSD = fx("GBPUSD", "GBP", "USD")
EURGBP = fx("EURGBP", "EUR", "GBP")
GBPJPY = fx("GBPJPY", "GBP", "JPY", digits=3)
NZDUSD = fx("NZDUSD", "NZD", "USD")
USDCHF = fx("USDCHF", "USD", "CHF")
AUDNZD = fx("AUDNZD", "AUD", "NZD")
XAUUSD = ContractSpec(
    name="XAUUSD",
    calc_mode=CalcMode.CFD,
    digits=2,
    contract_size=100.0,
    tick_size=0.01,
    tick_value=1.0,
    currency_base="XAU",
    currency_profit="USD",
    currency_margin="USD",
)
ES = ContractSpec(
    name="ES",
    calc_mode=CalcMode.FUTURES,
    digits=2,
    contract_size=50.0,
    tick_size=0.25,
    tick_value=12.5,
    currency_base="USD",
    currency_profit="USD",
    currency_margin="USD",
    margin_initial=12_000.0,
)
GER40 = ContractSpec(
    name="GER40",
    calc_mode=CalcMode.CFDLEVERAGE,
    digits=1,
    contract_size=1.0,
    tick_size=0.1,
    tick_value=0.1,
    currency_base="EUR",
    currency_profit="EUR",
    currency_margin="EUR",
)
US500 = ContractSpec(
    name="US500",
    calc_mode=CalcMode.CFDINDEX,
    digits=2,
    contract_size=10.0,
    tick_size=0.25,
    tick_value=0.5,
    currency_base="USD",
    currency_profit="USD",
    currency_margin="USD",
)
AAPL = ContractSpec(
    name="AAPL",
    calc_mode=CalcMode.EXCH_STOCKS,
    digits=2,
    contract_size=1.0,
    tick_size=0.01,
    tick_value=0.01,
    currency_base="USD",
    currency_profit="USD",
    currency_margin="USD",
)
BOND = ContractSpec(
    name="UST10",
    calc_mode=CalcMode.EXCH_BONDS,
    digits=3,
    contract_size=1.0,
    tick_size=0.001,
    tick_value=0.01,
    currency_base="USD",
    currency_profit="USD",
    currency_margin="USD",
    face_value=1000.0,
)

SPECS = (
    EURUSD,
    USDJPY,
    GBPUSD,
    EURGBP,
    GBPJPY,
    NZDUSD,
    USDCHF,
    AUDNZD,
    XAUUSD,
    ES,
    GER40,
    US500,
    AAPL,
    BOND,
)
SPEC_MAP = {spec.name: spec for spec in SPECS}

QUOTES: dict[str, tuple[float, float]] = {
    "EURUSD": (1.09990, 1.10010),
    "USDJPY": (150.000, 150.020),
    "GBPUSD": (1.25000, 1.25020),
    "EURGBP": (0.86000, 0.86020),
    "GBPJPY": (187.500, 187.540),
    "NZDUSD": (0.60000, 0.60020),
    "USDCHF": (0.90000, 0.90020),
    "AUDNZD": (1.08000, 1.08020),
    "XAUUSD": (2000.00, 2000.50),
    "ES": (5000.00, 5000.25),
    "GER40": (18000.0, 18001.0),
    "US500": (5000.00, 5000.50),
    "AAPL": (190.50, 190.52),
    "UST10": (98.500, 98.520),
}


def quotes(symbol: str) -> tuple[float, float] | None:
    return QUOTES.get(symbol)


INDEX = SymbolIndex(SPECS)
USD_ACCOUNT = AccountTerms(currency="USD", leverage=100)
EUR_ACCOUNT = AccountTerms(currency="EUR", leverage=100)
JPY_ACCOUNT = AccountTerms(currency="JPY", leverage=100)
CHF_ACCOUNT = AccountTerms(currency="CHF", leverage=100)
