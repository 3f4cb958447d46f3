from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tm_market import (
    AAPL,
    AUDNZD,
    BOND,
    ES,
    EURUSD,
    GBPJPY,
    GER40,
    INDEX,
    QUOTES,
    US500,
    USDJPY,
    XAUUSD,
    quotes,
)

from MetaTrader5.trademath import (
    CalcMode,
    ContractSpec,
    ConversionError,
    MissingQuoteError,
    Position,
    UnsupportedCalcModeError,
    close_price,
    open_price,
    position_profit,
    profit,
    profit_in_currency,
)

BUY, SELL = 0, 1


def p(
    spec: ContractSpec, order_type: int, volume: float, po: float, pc: float, ccy: str = "USD"
) -> float:
    return profit(spec, order_type, volume, po, pc, ccy, INDEX, quotes)


def test_forex_eurusd_usd_account() -> None:
    # (1.10500 - 1.10000) * 100000 * 1 = 500 USD; a sell loses the same
    assert p(EURUSD, BUY, 1.0, 1.10000, 1.10500) == pytest.approx(500.0)
    assert p(EURUSD, SELL, 1.0, 1.10000, 1.10500) == pytest.approx(-500.0)


def test_gbpjpy_usd_account_converts_jpy_through_usdjpy() -> None:
    # (188.50 - 187.50) * 100000 = 100000 JPY gain -> / USDJPY ask 150.02 = 666.5778 USD
    assert p(GBPJPY, BUY, 1.0, 187.5, 188.5) == pytest.approx(100_000 / 150.02)
    assert p(GBPJPY, BUY, 1.0, 187.5, 188.5) == pytest.approx(666.5778, abs=1e-4)
    # the sell loses 100000 JPY -> / bid 150.00 = -666.6667 USD
    assert p(GBPJPY, SELL, 1.0, 187.5, 188.5) == pytest.approx(-666.6667, abs=1e-4)


def test_usdjpy_usd_account_converts_at_the_close_price() -> None:
    # (151 - 150) * 100000 = 100000 JPY / 151 (the trade's own close) = 662.2517 USD
    assert p(USDJPY, BUY, 1.0, 150.0, 151.0) == pytest.approx(662.2517, abs=1e-4)


def test_eur_account_profit_in_usd_through_own_symbol() -> None:
    # (1.2 - 1.1) * 100000 = 10000 USD / 1.2 = 8333.33 EUR
    assert p(EURUSD, BUY, 1.0, 1.1, 1.2, "EUR") == pytest.approx(8333.3333, abs=1e-4)


def test_no_direct_pair_goes_through_usd_crosses() -> None:
    # AUDNZD (1.0900 - 1.0800) * 100000 = 1000 NZD -> NZDUSD bid 0.6 = 600 USD
    # -> USDCHF bid 0.9 = 540 CHF
    assert p(AUDNZD, BUY, 1.0, 1.08, 1.09, "CHF") == pytest.approx(540.0)


def test_cfd_xauusd() -> None:
    # (2010 - 2000) * 100 oz * 1 lot = 1000 USD
    assert p(XAUUSD, BUY, 1.0, 2000.0, 2010.0) == pytest.approx(1000.0)


def test_cfd_index_and_leverage_use_contract_size() -> None:
    # US500: (5010 - 5000) * 10 * 0.5 = 50 USD
    assert p(US500, BUY, 0.5, 5000.0, 5010.0) == pytest.approx(50.0)
    # GER40: (18000 - 18100) * 1 * 1 = -100 EUR, loss -> EURUSD ask 1.10010 = -110.01 USD
    assert p(GER40, BUY, 1.0, 18100.0, 18000.0) == pytest.approx(-110.01)


def test_futures_use_tick_value() -> None:
    # (5010 - 5000) / 0.25 * 12.5 * 2 lots = 1000 USD
    assert p(ES, BUY, 2.0, 5000.0, 5010.0) == pytest.approx(1000.0)
    assert profit_in_currency(ES, SELL, 2.0, 5000.0, 5010.0) == pytest.approx(-1000.0)


def test_exchange_stocks_and_bonds() -> None:
    # AAPL: (200 - 190.5) * 1 * 10 = 95 USD
    assert p(AAPL, BUY, 10.0, 190.5, 200.0) == pytest.approx(95.0)
    # bond: (99.0 - 98.5) % of 1000 face * 1 * 5 lots = 25 USD
    assert p(BOND, BUY, 5.0, 98.5, 99.0) == pytest.approx(25.0)


def test_collateral_has_no_profit() -> None:
    spec = replace(AAPL, calc_mode=CalcMode.SERV_COLLATERAL)
    assert p(spec, BUY, 10.0, 100.0, 200.0) == 0.0


def test_close_and_open_prices() -> None:
    assert close_price(BUY, 1.1, 1.2) == 1.1
    assert close_price(SELL, 1.1, 1.2) == 1.2
    assert close_price(4, 1.1, 1.2) == 1.1  # BUY_STOP is a buy
    assert open_price(BUY, 1.1, 1.2) == 1.2
    assert open_price(5, 1.1, 1.2) == 1.1  # SELL_STOP is a sell


def test_position_profit_uses_the_current_close_side() -> None:
    bid, ask = QUOTES["EURUSD"]  # 1.09990 / 1.10010
    buy = Position("EURUSD", BUY, 1.0, 1.09000)
    sell = Position("EURUSD", SELL, 1.0, 1.11000)
    # buy closes at bid: (1.09990 - 1.09) * 100000 = 990 USD
    assert position_profit(EURUSD, buy, "USD", INDEX, quotes) == pytest.approx(
        (bid - 1.09) * 100_000
    )
    # sell closes at ask: (1.11 - 1.10010) * 100000 = 990 USD
    assert position_profit(EURUSD, sell, "USD", INDEX, quotes) == pytest.approx(
        (1.11 - ask) * 100_000
    )


def test_errors() -> None:
    with pytest.raises(ValueError, match="volume must not be negative"):
        p(EURUSD, BUY, -0.1, 1.1, 1.2)
    with pytest.raises(ValueError, match="order type"):
        p(EURUSD, 9, 1.0, 1.1, 1.2)
    with pytest.raises(ValueError, match="tick_size"):
        p(replace(ES, tick_size=0.0), BUY, 1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="price_close"):
        p(EURUSD, BUY, 1.0, 1.1, float("inf"))
    with pytest.raises(UnsupportedCalcModeError):
        p(replace(EURUSD, calc_mode=77), BUY, 1.0, 1.1, 1.2)
    with pytest.raises(ConversionError):
        p(EURUSD, BUY, 1.0, 1.1, 1.2, "SEK")
    with pytest.raises(MissingQuoteError, match="GHOST"):
        position_profit(
            replace(EURUSD, name="GHOST"), Position("GHOST", BUY, 1.0, 1.0), "USD", INDEX, quotes
        )


# --- properties ---------------------------------------------------------------------------

ALL_SPECS = [EURUSD, USDJPY, GBPJPY, XAUUSD, ES, GER40, US500, AAPL, BOND, AUDNZD]
prices = st.floats(min_value=0.5, max_value=5000.0)
volumes = st.floats(min_value=0.0, max_value=500.0)


@given(spec=st.sampled_from(ALL_SPECS), volume=volumes, po=prices, pc=prices)
def test_profit_antisymmetric_in_profit_currency(
    spec: ContractSpec, volume: float, po: float, pc: float
) -> None:
    buy = profit_in_currency(spec, BUY, volume, po, pc)
    assert profit_in_currency(spec, SELL, volume, po, pc) == -buy


@given(
    spec=st.sampled_from([EURUSD, XAUUSD, ES, AAPL, USDJPY]), volume=volumes, po=prices, pc=prices
)
def test_profit_antisymmetric_in_account_currency_without_foreign_quotes(
    spec: ContractSpec, volume: float, po: float, pc: float
) -> None:
    # USD profit, or a conversion through the traded symbol itself (priced at the close):
    # no spread enters, so the sell is exactly the buy's opposite
    assert p(spec, SELL, volume, po, pc) == pytest.approx(-p(spec, BUY, volume, po, pc))


@given(volume=volumes, po=prices, pc=prices)
def test_profit_antisymmetric_within_the_conversion_spread(
    volume: float, po: float, pc: float
) -> None:
    buy, sell = p(GBPJPY, BUY, volume, po, pc), p(GBPJPY, SELL, volume, po, pc)
    bid, ask = QUOTES["USDJPY"]
    assert abs(buy + sell) <= abs(buy) * (ask - bid) / bid * 1.01 + 1e-9
    assert buy + sell <= 1e-9  # the spread always costs the account


@given(
    spec=st.sampled_from(ALL_SPECS),
    volume=volumes,
    price=prices,
    ccy=st.sampled_from(["USD", "EUR", "JPY", "CHF"]),
)
def test_profit_is_zero_at_equal_prices(
    spec: ContractSpec, volume: float, price: float, ccy: str
) -> None:
    for order_type in range(8):
        assert p(spec, order_type, volume, price, price, ccy) == 0.0
