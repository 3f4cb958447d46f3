from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tm_market import ES, EURUSD, INDEX, QUOTES, SPEC_MAP, USD_ACCOUNT, XAUUSD, quotes

from MetaTrader5.trademath import (
    AccountTerms,
    ContractSpec,
    Position,
    UnknownSymbolError,
    account_margin,
    account_snapshot,
    floating_profit,
    is_margin_call,
    is_stop_out,
    round_money,
    symbol_margin,
)

BUY, SELL = 0, 1
HEDGING = USD_ACCOUNT  # margin_mode 2 is the AccountTerms default
NETTING = replace(USD_ACCOUNT, margin_mode=0)


def sm(spec: ContractSpec, positions: list[Position], account: AccountTerms = HEDGING) -> float:
    return symbol_margin(spec, account, positions, INDEX, quotes)


# --- hedged and netted margin -------------------------------------------------------------


def test_single_position_margin_equals_order_margin() -> None:
    # 1 lot EURUSD at 1.1: 1000 EUR * 1.1 = 1100 USD
    assert sm(EURUSD, [Position("EURUSD", BUY, 1.0, 1.1)]) == pytest.approx(1100.0)


def test_hedged_positions_use_margin_hedged_as_contract_size() -> None:
    spec = replace(EURUSD, margin_hedged=50_000.0)
    both = [Position("EURUSD", BUY, 1.0, 1.1), Position("EURUSD", SELL, 1.0, 1.1)]
    # H = 1: 2 lots * 50000 / 100 = 1000 EUR at the hedged average 1.1 = 1100 USD
    assert sm(spec, both) == pytest.approx(1100.0)
    # margin_hedged 0: fully hedged positions are free
    assert sm(replace(EURUSD, margin_hedged=0.0), both) == 0.0
    # margin_hedged == contract size: no relief, 2 lots = 2200 USD
    assert sm(replace(EURUSD, margin_hedged=100_000.0), both) == pytest.approx(2200.0)


def test_partly_hedged_positions() -> None:
    spec = replace(EURUSD, margin_hedged=50_000.0)
    positions = [
        Position("EURUSD", BUY, 1.5, 1.10),
        Position("EURUSD", BUY, 0.5, 1.10),
        Position("EURUSD", SELL, 1.0, 1.12),
    ]
    # unhedged 1 lot buy at 1.10: 1000 EUR * 1.10 = 1100
    # hedged 1+1 at (1.10 + 1.12) / 2 = 1.11: 2 * 50000/100 = 1000 EUR * 1.11 = 1110
    assert sm(spec, positions) == pytest.approx(2210.0)


def test_hedged_fixed_margin_is_absolute_per_lot() -> None:
    spec = replace(ES, margin_hedged=3000.0)
    both = [Position("ES", BUY, 1.0, 5000.0), Position("ES", SELL, 1.0, 5010.0)]
    # 2 hedged lots * 3000 USD = 6000 USD
    assert sm(spec, both) == pytest.approx(6000.0)


def test_larger_leg_mode() -> None:
    spec = replace(EURUSD, margin_hedged_use_leg=True, margin_hedged=0.0)
    positions = [Position("EURUSD", BUY, 2.0, 1.1), Position("EURUSD", SELL, 1.0, 1.2)]
    # buys 2000 EUR * 1.1 = 2200, sells 1000 EUR * 1.2 = 1200 -> the larger, 2200
    assert sm(spec, positions) == pytest.approx(2200.0)


def test_netting_account_nets_per_symbol() -> None:
    positions = [Position("EURUSD", BUY, 2.0, 1.1), Position("EURUSD", SELL, 0.5, 1.2)]
    # net 1.5 lot buy at 1.1: 1500 EUR * 1.1 = 1650 USD
    assert sm(EURUSD, positions, NETTING) == pytest.approx(1650.0)
    flat = [Position("EURUSD", BUY, 1.0, 1.1), Position("EURUSD", SELL, 1.0, 1.2)]
    assert sm(EURUSD, flat, NETTING) == 0.0
    short = [Position("EURUSD", SELL, 1.0, 1.2)]
    assert sm(EURUSD, short, NETTING) == pytest.approx(1200.0)


def test_account_margin_sums_symbols_and_rejects_unknown_ones() -> None:
    positions = [Position("EURUSD", BUY, 1.0, 1.1), Position("ES", SELL, 1.0, 5000.0)]
    # 1100 + 12000
    assert account_margin(positions, SPEC_MAP, HEDGING, INDEX, quotes) == pytest.approx(13_100.0)
    with pytest.raises(UnknownSymbolError, match="NOPE"):
        account_margin([Position("NOPE", BUY, 1.0, 1.0)], SPEC_MAP, HEDGING, INDEX, quotes)
    with pytest.raises(KeyError):
        floating_profit([Position("NOPE", BUY, 1.0, 1.0)], SPEC_MAP, "USD", INDEX, quotes)


def test_negative_position_volume_is_rejected() -> None:
    with pytest.raises(ValueError, match="volume"):
        sm(EURUSD, [Position("EURUSD", BUY, -1.0, 1.1)])


# --- snapshot -----------------------------------------------------------------------------


def _snapshot(terms: AccountTerms = USD_ACCOUNT, **kw: float):  # type: ignore[no-untyped-def]
    # EURUSD bid 1.09990: buy 1 lot from 1.09000 -> +990 USD, swap -3, commission -7
    position = Position("EURUSD", BUY, 1.0, 1.09000, swap=-3.0, commission=-7.0)
    return account_snapshot(10_000.0, 500.0, [position], SPEC_MAP, terms, INDEX, quotes, **kw)


def test_snapshot_hand_computed() -> None:
    snap = _snapshot()
    assert snap.profit == pytest.approx(980.0)  # 990 - 3 - 7
    assert snap.equity == pytest.approx(11_480.0)  # 10000 + 500 + 980
    assert snap.margin == pytest.approx(1090.0)  # 1000 EUR at the open price 1.09
    assert snap.margin_free == pytest.approx(10_390.0)  # 11480 - 1090
    assert snap.margin_level == pytest.approx(11_480.0 / 1090.0 * 100)  # 1053.21 %
    assert snap.margin_maintenance == pytest.approx(1090.0)
    assert snap.margin_initial == 0.0
    assert round_money(snap.margin_level, 2) == 1053.21


def test_free_margin_modes() -> None:
    # base without floating: 10000 + 500 - 1090 = 9410; floating +980
    assert _snapshot(replace(USD_ACCOUNT, margin_free_mode=0)).margin_free == pytest.approx(9410)
    assert _snapshot(replace(USD_ACCOUNT, margin_free_mode=2)).margin_free == pytest.approx(10390)
    assert _snapshot(replace(USD_ACCOUNT, margin_free_mode=3)).margin_free == pytest.approx(9410)


def test_free_margin_loss_only_mode_with_a_loss() -> None:
    position = Position("EURUSD", BUY, 1.0, 1.10990)  # closes at 1.09990: -1000 USD
    terms = replace(USD_ACCOUNT, margin_free_mode=3)
    snap = account_snapshot(10_000.0, 0.0, [position], SPEC_MAP, terms, INDEX, quotes)
    # 10000 - 1109.90 margin - 1000 loss = 7890.10
    assert snap.margin_free == pytest.approx(7890.10)
    only_gain = replace(USD_ACCOUNT, margin_free_mode=2)
    snap = account_snapshot(10_000.0, 0.0, [position], SPEC_MAP, only_gain, INDEX, quotes)
    assert snap.margin_free == pytest.approx(8890.10)


def test_extra_terms_of_spec_4_9() -> None:
    snap = _snapshot(
        assets=100.0,
        liabilities=-40.0,
        commission_daily=-5.0,
        commission_monthly=-15.0,
        acc_profit=200.0,
    )
    # 11480 + 100 - 40 - 5 - 15 = 11520 (acc_profit ignored: margin_free_profit_mode 0)
    assert snap.equity == pytest.approx(11_520.0)
    assert snap.margin_free == pytest.approx(11_520.0 - 1090.0)
    subtract = replace(USD_ACCOUNT, margin_free_profit_mode=3)
    snap = _snapshot(subtract, acc_profit=200.0)
    assert snap.equity == pytest.approx(11_280.0)  # 11480 - 200
    assert snap.margin_free == pytest.approx(11_280.0 - 1090.0)
    assert _snapshot(subtract, acc_profit=-200.0).equity == pytest.approx(11_480.0)


def test_empty_account() -> None:
    snap = account_snapshot(1000.0, 0.0, [], SPEC_MAP, USD_ACCOUNT, INDEX, quotes)
    assert (snap.equity, snap.margin, snap.margin_free, snap.margin_level) == (
        1000.0,
        0.0,
        1000.0,
        0.0,
    )
    assert not is_stop_out(snap, USD_ACCOUNT)
    assert not is_margin_call(snap, USD_ACCOUNT)


def test_stop_out_and_margin_call_percent_mode() -> None:
    # XAUUSD bid 2000: buy 1 lot from 2004.5 -> (2000 - 2004.5) * 100 = -450 USD
    # margin: 100 * 2004.5 * 0.01 = 2004.5 USD; balance 2800 -> equity 2350, level 117.2 %
    rates = (0.01,) * 8
    gold = {"XAUUSD": replace(XAUUSD, margin_rates_initial=rates, margin_rates_maintenance=rates)}
    position = [Position("XAUUSD", BUY, 1.0, 2004.5)]
    terms = replace(USD_ACCOUNT, margin_so_call=120.0, margin_so_so=50.0)
    snap = account_snapshot(2800.0, 0.0, position, gold, terms, INDEX, quotes)
    assert snap.margin_level == pytest.approx(2350.0 / 2004.5 * 100)
    assert is_margin_call(snap, terms)
    assert not is_stop_out(snap, terms)
    # balance 1400 -> equity 950, level 47.4 % <= 50
    snap = account_snapshot(1400.0, 0.0, position, gold, terms, INDEX, quotes)
    assert is_stop_out(snap, terms)


def test_stop_out_money_mode_compares_equity() -> None:
    terms = replace(USD_ACCOUNT, margin_so_mode=1, margin_so_call=12_000.0, margin_so_so=11_000.0)
    snap = _snapshot(terms)  # equity 11480
    assert is_margin_call(snap, terms)
    assert not is_stop_out(snap, terms)
    assert is_stop_out(snap, replace(terms, margin_so_so=snap.equity))  # "at or below"


# --- properties ---------------------------------------------------------------------------

position_st = st.builds(
    Position,
    symbol=st.sampled_from(["EURUSD", "USDJPY", "XAUUSD", "ES", "GBPJPY", "AAPL"]),
    type=st.sampled_from([BUY, SELL]),
    volume=st.floats(min_value=0.0, max_value=50.0),
    price_open=st.floats(min_value=0.5, max_value=3000.0),
    swap=st.floats(min_value=-100.0, max_value=100.0),
    commission=st.floats(min_value=-50.0, max_value=0.0),
)


@given(
    balance=st.floats(min_value=0.0, max_value=1e7),
    credit=st.floats(min_value=0.0, max_value=1e5),
    positions=st.lists(position_st, max_size=6),
    mode=st.sampled_from([0, 2]),
)
def test_equity_is_balance_plus_credit_plus_floating(
    balance: float, credit: float, positions: list[Position], mode: int
) -> None:
    terms = replace(USD_ACCOUNT, margin_mode=mode)
    snap = account_snapshot(balance, credit, positions, SPEC_MAP, terms, INDEX, quotes)
    floating = floating_profit(positions, SPEC_MAP, "USD", INDEX, quotes)
    assert snap.equity == pytest.approx(balance + credit + floating, rel=1e-12, abs=1e-6)
    assert snap.margin_free == pytest.approx(snap.equity - snap.margin, rel=1e-12, abs=1e-6)
    assert snap.margin >= 0
    if snap.margin > 0:
        assert snap.margin_level == pytest.approx(snap.equity / snap.margin * 100)


def test_quotes_table_is_consistent() -> None:
    assert all(bid < ask for bid, ask in QUOTES.values())


def test_margin_level_divides_by_maintenance_margin() -> None:
    # maintenance rates twice the initial ones: margin 1090, maintenance 2180
    specs = dict(SPEC_MAP)
    specs["EURUSD"] = replace(EURUSD, margin_rates_maintenance=(2.0,) * 8)
    position = Position("EURUSD", BUY, 1.0, 1.09000)  # +990 USD at bid 1.09990
    snap = account_snapshot(10_000.0, 0.0, [position], specs, USD_ACCOUNT, INDEX, quotes)
    assert snap.margin == pytest.approx(1090.0)
    assert snap.margin_maintenance == pytest.approx(2180.0)
    assert snap.margin_level == pytest.approx(10_990.0 / 2180.0 * 100)
