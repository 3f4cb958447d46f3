from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tm_market import (
    AAPL,
    BOND,
    ES,
    EURGBP,
    EURUSD,
    GBPJPY,
    GER40,
    INDEX,
    JPY_ACCOUNT,
    US500,
    USD_ACCOUNT,
    USDJPY,
    XAUUSD,
    quotes,
)

from MetaTrader5.trademath import (
    AccountTerms,
    CalcMode,
    ContractSpec,
    ConversionError,
    UnsupportedCalcModeError,
    margin,
    margin_currency,
    margin_in_currency,
    margin_rate,
)

BUY, SELL, BUY_LIMIT, SELL_LIMIT = 0, 1, 2, 3


def m(
    spec: ContractSpec,
    order_type: int,
    volume: float,
    price: float,
    account: AccountTerms = USD_ACCOUNT,
    **kw: bool,
) -> float:
    return margin(spec, account, order_type, volume, price, INDEX, quotes, **kw)


# --- Forex ----------------------------------------------------------------------------------


def test_forex_eurusd_usd_account_at_order_price() -> None:
    # 1 lot * 100000 / 100 = 1000 EUR; EURUSD is the converter, priced at the order price 1.1
    # -> 1000 * 1.10000 = 1100.00 USD (whatever the market quote is)
    assert m(EURUSD, BUY, 1.0, 1.10000) == pytest.approx(1100.0)
    assert m(EURUSD, SELL, 1.0, 1.10000) == pytest.approx(1100.0)


def test_forex_usdjpy_usd_account_needs_no_conversion() -> None:
    # 1 lot * 100000 / 100 = 1000 USD
    assert m(USDJPY, BUY, 1.0, 150.0) == pytest.approx(1000.0)
    assert margin_in_currency(USDJPY, USD_ACCOUNT, BUY, 1.0, 150.0) == (1000.0, "USD")


def test_forex_usdjpy_jpy_account_converts_at_order_price() -> None:
    # 1000 USD * 151.0 = 151000 JPY
    assert m(USDJPY, SELL, 1.0, 151.0, JPY_ACCOUNT) == pytest.approx(151_000.0)


def test_forex_cross_eurgbp_usd_account_through_eurusd_side_by_direction() -> None:
    # 0.5 lot * 100000 / 100 = 500 EUR; buy -> EURUSD ask 1.10010 = 550.05 USD,
    # sell -> EURUSD bid 1.09990 = 549.95 USD
    assert m(EURGBP, BUY, 0.5, 0.86) == pytest.approx(550.05)
    assert m(EURGBP, SELL, 0.5, 0.86) == pytest.approx(549.95)


def test_forex_gbpjpy_usd_account_through_gbpusd() -> None:
    # 2 lots -> 2000 GBP * GBPUSD ask 1.25020 = 2500.40 USD
    assert m(GBPJPY, BUY, 2.0, 187.5) == pytest.approx(2500.40)


def test_forex_leverage_divides() -> None:
    # 1 lot, leverage 500: 100000 / 500 = 200 EUR * 1.1 = 220 USD
    assert m(EURUSD, BUY, 1.0, 1.1, AccountTerms("USD", 500)) == pytest.approx(220.0)


def test_forex_no_leverage() -> None:
    spec = replace(EURUSD, calc_mode=CalcMode.FOREX_NO_LEVERAGE, margin_rates_initial=(0.02,) * 8)
    # 0.1 lot * 100000 * rate 0.02 = 200 EUR * 1.1 = 220 USD; leverage is ignored
    assert m(spec, BUY, 0.1, 1.1) == pytest.approx(220.0)
    assert m(spec, BUY, 0.1, 1.1, AccountTerms("USD", 1000)) == pytest.approx(220.0)


def test_margin_rates_indexed_by_order_type() -> None:
    rates = (1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 1.0)
    spec = replace(USDJPY, margin_rates_initial=rates)
    # 1000 USD per lot times the rate of the type
    assert m(spec, BUY, 1.0, 150.0) == pytest.approx(1000.0)
    assert m(spec, SELL, 1.0, 150.0) == pytest.approx(2000.0)
    assert m(spec, BUY_LIMIT, 1.0, 150.0) == pytest.approx(3000.0)
    assert m(spec, SELL_LIMIT, 1.0, 150.0) == pytest.approx(4000.0)


def test_fixed_initial_margin_replaces_the_forex_formula() -> None:
    spec = replace(EURUSD, margin_initial=2000.0)
    # 2000 EUR per lot, absolute (no leverage): 0.5 lot -> 1000 EUR * 1.1 = 1100 USD
    assert m(spec, BUY, 0.5, 1.1) == pytest.approx(1100.0)


# --- CFD family ---------------------------------------------------------------------------


def test_cfd_xauusd() -> None:
    spec = replace(XAUUSD, margin_rates_initial=(0.05,) * 8)
    # 1 lot * 100 oz * 2000 USD * 0.05 = 10000 USD, no leverage in CFD mode
    assert m(spec, BUY, 1.0, 2000.0) == pytest.approx(10_000.0)


def test_cfd_fixed_margin() -> None:
    spec = replace(XAUUSD, margin_initial=500.0)
    # 2 lots * 500 USD = 1000 USD, price does not matter
    assert m(spec, SELL, 2.0, 2000.0) == pytest.approx(1000.0)
    assert m(spec, SELL, 2.0, 9000.0) == pytest.approx(1000.0)


def test_cfd_leverage_ger40_eur_into_usd() -> None:
    # 1 lot * 1 * 18000 / 100 = 180 EUR; buy -> EURUSD ask 1.10010 = 198.018 USD
    assert m(GER40, BUY, 1.0, 18000.0) == pytest.approx(198.018)


def test_cfd_index_us500() -> None:
    spec = replace(US500, margin_rates_initial=(0.01,) * 8)
    # 1 lot * 10 * 5000 * (0.5 / 0.25) * 0.01 = 1000 USD
    assert m(spec, BUY, 1.0, 5000.0) == pytest.approx(1000.0)


def test_cfd_price_margin_is_in_profit_currency_even_if_margin_ccy_differs() -> None:
    spec = replace(XAUUSD, currency_margin="XAU")
    # 0.01 lot * 100 * 2000 = 2000 USD (the amount is built from a USD price)
    assert margin_in_currency(spec, USD_ACCOUNT, BUY, 0.01, 2000.0) == (2000.0, "USD")


# --- exchange and futures -----------------------------------------------------------------


def test_futures_fixed_initial_margin() -> None:
    # 2 lots * 12000 USD = 24000; a sell rate of 1.5 -> 36000
    assert m(ES, BUY, 2.0, 5000.0) == pytest.approx(24_000.0)
    spec = replace(ES, margin_rates_initial=(1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0))
    assert m(spec, SELL, 2.0, 5000.0) == pytest.approx(36_000.0)
    assert m(replace(ES, calc_mode=CalcMode.EXCH_FUTURES), BUY, 1.0, 1.0) == pytest.approx(12_000.0)


def test_futures_without_initial_margin_need_none() -> None:
    assert m(replace(ES, margin_initial=0.0), BUY, 3.0, 5000.0) == 0.0


def test_forts_futures_add_the_distance_beyond_settlement() -> None:
    spec = ContractSpec(
        name="Si",
        calc_mode=CalcMode.EXCH_FUTURES_FORTS,
        digits=0,
        contract_size=1.0,
        tick_size=1.0,
        tick_value=1.0,
        currency_base="USD",
        currency_profit="RUB",
        currency_margin="RUB",
        margin_initial=5000.0,
        price_settle=90_000.0,
    )
    account = AccountTerms("RUB", 1)
    # buy at 90200: 5000 + (90200 - 90000) * 1/1 = 5200 RUB per lot
    assert m(spec, BUY, 1.0, 90_200.0, account) == pytest.approx(5200.0)
    # sell above settlement loses nothing yet: 5000; sell at 89900: 5000 + 100
    assert m(spec, SELL, 1.0, 90_200.0, account) == pytest.approx(5000.0)
    assert m(spec, SELL, 1.0, 89_900.0, account) == pytest.approx(5100.0)


def test_exchange_stocks() -> None:
    # 10 lots * 1 share * 190.50 = 1905 USD
    assert m(AAPL, BUY, 10.0, 190.5) == pytest.approx(1905.0)


def test_exchange_bonds_face_value_based() -> None:
    # 5 lots * 1 * 1000 face * 98.5 % = 4925 USD
    assert m(BOND, BUY, 5.0, 98.5) == pytest.approx(4925.0)


def test_collateral_needs_no_margin() -> None:
    assert m(replace(AAPL, calc_mode=CalcMode.SERV_COLLATERAL), BUY, 10.0, 190.5) == 0.0


def test_maintenance_terms() -> None:
    spec = replace(
        ES,
        margin_maintenance=9000.0,
        margin_rates_maintenance=(0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    )
    # maintenance: 9000 per lot; buy rate 0 = "not set" -> initial rate 1
    assert m(spec, BUY, 1.0, 5000.0, maintenance=True) == pytest.approx(9000.0)
    assert m(spec, SELL, 1.0, 5000.0, maintenance=True) == pytest.approx(18_000.0)
    assert m(spec, BUY, 1.0, 5000.0) == pytest.approx(12_000.0)
    assert margin_rate(spec, SELL, maintenance=True) == 2.0
    assert margin_rate(replace(spec, margin_rates_initial=()), SELL) == 1.0


def test_margin_currency_defaults() -> None:
    assert margin_currency(replace(EURUSD, currency_margin="")) == "EUR"
    assert margin_currency(replace(ES, currency_margin=" ")) == "USD"


# --- errors -------------------------------------------------------------------------------


def test_negative_volume_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="volume must not be negative"):
        m(EURUSD, BUY, -1.0, 1.1)
    with pytest.raises(ValueError, match="finite"):
        m(EURUSD, BUY, float("nan"), 1.1)


def test_bad_order_type_and_leverage() -> None:
    with pytest.raises(ValueError, match="order type"):
        m(EURUSD, 8, 1.0, 1.1)  # CLOSE_BY has no direction
    with pytest.raises(ValueError, match="leverage"):
        m(EURUSD, BUY, 1.0, 1.1, AccountTerms("USD", 0))
    with pytest.raises(ValueError, match="tick_size"):
        m(replace(US500, tick_size=0.0), BUY, 1.0, 5000.0)


def test_unknown_calc_mode() -> None:
    with pytest.raises(UnsupportedCalcModeError) as info:
        m(replace(AAPL, calc_mode=99), BUY, 1.0, 1.0)
    assert info.value.calc_mode == 99
    with pytest.raises(UnsupportedCalcModeError):
        m(replace(AAPL, calc_mode=99, margin_initial=5.0), BUY, 1.0, 1.0)


def test_unconvertible_margin_currency() -> None:
    with pytest.raises(ConversionError):
        m(EURUSD, BUY, 1.0, 1.1, AccountTerms("SEK", 100))


def test_zero_volume_is_zero_margin() -> None:
    assert m(EURUSD, BUY, 0.0, 1.1, AccountTerms("SEK", 100)) == 0.0


# --- properties ---------------------------------------------------------------------------

LINEAR_CASES = [
    (EURUSD, 1.1),
    (EURGBP, 0.86),
    (GBPJPY, 187.5),
    (XAUUSD, 2000.0),
    (GER40, 18000.0),
    (US500, 5000.0),
    (ES, 5000.0),
    (AAPL, 190.5),
    (BOND, 98.5),
]


@given(
    case=st.sampled_from(LINEAR_CASES),
    order_type=st.integers(min_value=0, max_value=7),
    volume=st.floats(min_value=0.01, max_value=1000.0),
    factor=st.floats(min_value=0.0, max_value=100.0),
)
def test_margin_scales_linearly_with_volume(
    case: tuple[ContractSpec, float], order_type: int, volume: float, factor: float
) -> None:
    spec, price = case
    one = m(spec, order_type, volume, price)
    assert one > 0
    assert m(spec, order_type, volume * factor, price) == pytest.approx(one * factor, rel=1e-9)
