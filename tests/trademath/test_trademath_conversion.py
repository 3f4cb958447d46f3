from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tm_market import EURUSD, INDEX, QUOTES, SPECS, fx, quotes

from MetaTrader5.trademath import (
    CalcMode,
    ContractSpec,
    ConversionError,
    ConversionLeg,
    SymbolIndex,
    conversion_rate,
    convert,
)


def test_same_currency_is_identity_without_quotes() -> None:
    assert convert(123.45, "USD", "usd", INDEX, lambda _s: None) == 123.45
    assert INDEX.path("JPY", "JPY") == ()


def test_direct_pair_gain_uses_bid_loss_uses_ask() -> None:
    # 100 EUR gained -> 100 * bid 1.09990 = 109.99 USD; lost -> -100 * ask 1.10010 = -110.01
    assert convert(100.0, "EUR", "USD", INDEX, quotes) == pytest.approx(109.99)
    assert convert(-100.0, "EUR", "USD", INDEX, quotes) == pytest.approx(-110.01)


def test_inverse_pair_gain_divides_by_ask_loss_by_bid() -> None:
    # 15002 JPY gained -> 15002 / ask 150.02 = 100 USD; 15000 JPY lost -> / bid 150.00 = -100
    assert convert(15002.0, "JPY", "USD", INDEX, quotes) == pytest.approx(100.0)
    assert convert(-15000.0, "JPY", "USD", INDEX, quotes) == pytest.approx(-100.0)


def test_for_profit_sign_overrides_the_amount_sign() -> None:
    # A rate for a loss applied to a positive number: 100 * ask 1.10010 = 110.01
    assert convert(100.0, "EUR", "USD", INDEX, quotes, for_profit_sign=-1) == pytest.approx(110.01)


def test_margin_side_buy_ask_sell_bid_on_every_leg() -> None:
    # buy: EUR -> USD at ask 1.10010; sell at bid 1.09990
    assert convert(1000.0, "EUR", "USD", INDEX, quotes, order_type=0) == pytest.approx(1100.10)
    assert convert(1000.0, "EUR", "USD", INDEX, quotes, order_type=1) == pytest.approx(1099.90)
    # inverse leg, buy-limit (2) is a buy: 150020 JPY / ask 150.02 = 1000 USD
    assert convert(150020.0, "JPY", "USD", INDEX, quotes, order_type=2) == pytest.approx(1000.0)


def test_symbol_price_replaces_the_quote_of_that_symbol_only() -> None:
    # 1000 EUR at the caller's 1.2 = 1200 USD, whatever EURUSD quotes
    got = convert(1000.0, "EUR", "USD", INDEX, quotes, symbol_price=("EURUSD", 1.2))
    assert got == pytest.approx(1200.0)


def test_cross_through_usd_when_no_direct_pair() -> None:
    # NZD -> CHF: no NZDCHF/CHFNZD; 1000 NZD * bid NZDUSD 0.6 = 600 USD * bid USDCHF 0.9 = 540
    assert INDEX.path("NZD", "CHF") == (
        ConversionLeg("NZDUSD", False, "NZD", "USD"),
        ConversionLeg("USDCHF", False, "USD", "CHF"),
    )
    assert convert(1000.0, "NZD", "CHF", INDEX, quotes) == pytest.approx(540.0)


def test_cross_with_inverse_legs() -> None:
    # CHF -> JPY: CHF -> USD through USDCHF (divide), USD -> JPY through USDJPY (multiply)
    # gain: 900.2 CHF / ask 0.9002 = 1000 USD * bid 150 = 150000 JPY
    assert convert(900.2, "CHF", "JPY", INDEX, quotes) == pytest.approx(150_000.0)


def test_unknown_currency_raises_conversion_error() -> None:
    with pytest.raises(ConversionError) as info:
        convert(10.0, "XYZ", "USD", INDEX, quotes)
    assert info.value.from_ccy == "XYZ"
    assert info.value.to_ccy == "USD"
    assert "XYZ" in str(info.value)
    # USD itself without any pair: no fallback possible
    with pytest.raises(ConversionError):
        INDEX.path("USD", "SEK")


def test_missing_or_broken_quote_raises_conversion_error() -> None:
    with pytest.raises(ConversionError, match="no quote for EURUSD"):
        convert(1.0, "EUR", "USD", INDEX, lambda _s: None)
    with pytest.raises(ConversionError, match="unusable"):
        convert(1.0, "EUR", "USD", INDEX, lambda _s: (0.0, 0.0))


def test_conversion_error_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        INDEX.path("AAA", "BBB")


def test_path_is_cached_per_pair() -> None:
    index = SymbolIndex(SPECS)
    first = index.path("GBP", "JPY")
    assert index.path("gbp", "jpy") is first
    assert first == (ConversionLeg("GBPJPY", False, "GBP", "JPY"),)


def test_forex_symbol_preferred_then_first_given() -> None:
    cfd = ContractSpec(
        name="EURUSD.cfd",
        calc_mode=CalcMode.CFD,
        digits=5,
        contract_size=1.0,
        tick_size=0.00001,
        tick_value=0.00001,
        currency_base="EUR",
        currency_profit="USD",
        currency_margin="USD",
    )
    assert SymbolIndex([cfd, EURUSD]).pair_symbol("EUR", "USD") == "EURUSD"
    assert SymbolIndex([fx("EURUSD.m", "EUR", "USD"), EURUSD]).pair_symbol("EUR", "USD") == (
        "EURUSD.m"
    )
    # a symbol quoted in its own currency converts nothing
    own = fx("USDUSD", "USD", "USD")
    assert SymbolIndex([own]).pair_symbol("USD", "USD") is None


CURRENCIES = ["EUR", "USD", "JPY", "GBP", "CHF", "NZD", "AUD"]


def _max_spread(legs: tuple[ConversionLeg, ...]) -> float:
    total = 0.0
    for leg in legs:
        bid, ask = QUOTES[leg.symbol]
        total += (ask - bid) / bid
    return total


@given(
    amount=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    a=st.sampled_from(CURRENCIES),
    b=st.sampled_from(CURRENCIES),
)
def test_round_trip_is_identity_within_the_spread(amount: float, a: str, b: str) -> None:
    try:
        there = convert(amount, a, b, INDEX, quotes)
    except ConversionError:
        return  # AUD only converts to NZD here: some pairs have no path
    back = convert(there, b, a, INDEX, quotes)
    spread = _max_spread(INDEX.path(a, b)) + _max_spread(INDEX.path(b, a))
    assert abs(back - amount) <= abs(amount) * spread * 1.01 + 1e-9
    # the worse-side rule never returns more: a gain shrinks, a loss grows
    assert back <= amount + abs(amount) * 1e-12 + 1e-12


@given(a=st.sampled_from(CURRENCIES), b=st.sampled_from(CURRENCIES))
def test_rates_are_positive_and_gain_rate_not_above_loss_rate(a: str, b: str) -> None:
    try:
        gain = conversion_rate(a, b, INDEX, quotes, for_profit_sign=1)
    except ConversionError:
        return
    loss = conversion_rate(a, b, INDEX, quotes, for_profit_sign=-1)
    assert 0 < gain <= loss
    assert math.isfinite(loss)
