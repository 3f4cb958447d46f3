"""Engine money through the shared trade math: conversions, free-margin modes, volume limit.

Every expected figure is computed by hand from the documented conventions of spec 4.9 and
``MetaTrader5.trademath`` (margin converted at the ask for buys, profit gains at the side
worse for the account, futures profit converted from the profit currency).
"""

from __future__ import annotations

import pytest
from test_engine_fixtures import EURUSD, USDJPY, Market, Rig

from MetaTrader5 import constants as c
from MetaTrader5.server.accounts import Account, AccountConfig
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath.specs import ContractSpec

NK225 = SymbolSpec(
    name="NK225", symbol_id=3, path="Futures\\NK225", description="Nikkei 225 future",
    contract=ContractSpec(
        name="NK225", calc_mode=c.SYMBOL_CALC_MODE_FUTURES, digits=0, contract_size=1.0,
        tick_size=5.0, tick_value=500.0, currency_base="JPY", currency_profit="JPY",
        currency_margin="JPY", margin_initial=100000.0,
    ),
    spread_points=10, start_price=38000.0,
)
GBPUSD = SymbolSpec(
    name="GBPUSD", symbol_id=4, path="Forex\\Majors\\GBPUSD", description="Pound vs US Dollar",
    contract=ContractSpec(
        name="GBPUSD", calc_mode=0, digits=5, contract_size=100000.0, tick_size=0.00001,
        tick_value=1.0, currency_base="GBP", currency_profit="USD", currency_margin="GBP",
    ),
    spread_points=10, start_price=1.25,
)
USDCHF = SymbolSpec(
    name="USDCHF", symbol_id=5, path="Forex\\Majors\\USDCHF", description="US Dollar vs Franc",
    contract=ContractSpec(
        name="USDCHF", calc_mode=0, digits=5, contract_size=100000.0, tick_size=0.00001,
        tick_value=1.0, currency_base="USD", currency_profit="CHF", currency_margin="USD",
    ),
    spread_points=10, start_price=0.9,
)


def _eur_rig(margin_mode: str = "hedging") -> Rig:
    rig = Rig(margin_mode, currency="EUR")
    rig.tick(1.10000, 1.10020)  # a spread, so the side used for conversion shows
    return rig


@pytest.mark.parametrize("mode", ["hedging", "netting"])
def test_margin_converts_at_ask_for_a_buy(mode: str) -> None:
    rig = _eur_rig(mode)
    assert rig.buy(1.0, "USDJPY").retcode == c.TRADE_RETCODE_DONE
    # 100000 USD / 100 = 1000 USD; USD -> EUR through EURUSD, a buy converts at its ask.
    assert rig.engine.state(rig.LOGIN).margin == round(1000 / 1.10020, 2) == 908.93


def test_cross_profit_through_usd_into_eur_account() -> None:
    rig = _eur_rig()
    opened = rig.buy(1.0, "USDJPY")
    assert opened.price == 150.010
    rig.tick(150.510, 150.520, "USDJPY")
    out, events = rig.send(trade_action=3, symbol="USDJPY", volume=1.0, type=1,
                           position=opened.order)
    assert out.retcode == c.TRADE_RETCODE_DONE and out.price == 150.510
    deal = events[-1].deal
    assert deal is not None
    # 0.5 JPY x 100000 = 50000 JPY; JPY -> USD at the close price, USD -> EUR: a gain
    # divided by the larger side (ask) of EURUSD.
    assert deal.profit == round(50000 / 150.510 / 1.10020, 2) == 301.95
    assert rig.account.balance == round(100000.0 + 301.95, 2)


def test_futures_margin_and_profit_are_converted() -> None:
    rig = Rig(market=Market(EURUSD, USDJPY, NK225))
    rig.tick(38000.0, 38010.0, "NK225")
    opened = rig.buy(1.0, "NK225")
    assert opened.retcode == c.TRADE_RETCODE_DONE and opened.price == 38010.0
    # Fixed 100000 JPY per lot, converted at USDJPY's ask for a buy.
    assert rig.engine.state(rig.LOGIN).margin == round(100000 / 150.010, 2) == 666.62
    rig.tick(38060.0, 38065.0, "NK225")
    # 50 points = 10 ticks x 500 JPY = 5000 JPY, a gain: JPY -> USD divided by the ask.
    assert rig.engine.state(rig.LOGIN).profit == round(5000 / 150.010, 2) == 33.33
    _, events = rig.send(trade_action=3, symbol="NK225", volume=1.0, type=1,
                         position=opened.order)
    assert events[-1].deal is not None and events[-1].deal.profit == 33.33


def test_symbol_added_after_first_use_is_indexed() -> None:
    rig = _eur_rig()
    assert rig.buy(0.1).retcode == c.TRADE_RETCODE_DONE  # builds the conversion index
    rig.market.symbols["GBPUSD"] = GBPUSD
    rig.tick(1.24990, 1.25000, "GBPUSD")
    assert rig.buy(1.0, "GBPUSD").retcode == c.TRADE_RETCODE_DONE
    # EURUSD 0.1 lot: 10000 EUR / 100 = 100 EUR. GBPUSD: 1000 GBP -> 1250 USD at the fill
    # price -> EUR at EURUSD's ask (buy).
    assert rig.engine.state(rig.LOGIN).margin == round(100.0 + 1250 / 1.10020, 2)


def test_no_conversion_quote_is_price_off() -> None:
    rig = Rig(market=Market(EURUSD, USDJPY, USDCHF), currency="EUR")
    rig.tick(0.90000, 0.90010, "USDCHF")
    rig.market.quotes.pop("EURUSD")  # CHF -> EUR needs EURUSD for the USD cross
    out, events = rig.send(trade_action=3, symbol="USDCHF", volume=0.1, type=0)
    assert out.retcode == c.TRADE_RETCODE_PRICE_OFF and events == []
    assert not rig.ledger.positions and rig.account.balance == 100000.0


def test_commission_counts_once() -> None:
    rig = Rig()
    rig.market.patch("EURUSD", commission_per_lot=3.5)
    rig.buy(1.0)
    (position,) = rig.ledger.positions.values()
    assert position.commission == 0.0  # charged to the balance by the IN deal
    state = rig.engine.state(rig.LOGIN)
    assert state.balance == 99996.5 and state.equity == 99996.5
    assert state.margin_free == 99996.5 - 1100.0


@pytest.mark.parametrize(
    ("free_mode", "expected"), [(0, 98900.0), (1, 98800.0), (2, 98900.0), (3, 98800.0)]
)
def test_margin_free_mode_on_a_loss(free_mode: int, expected: float) -> None:
    rig = Rig()
    rig.account.margin_free_mode = free_mode
    rig.buy(1.0)
    rig.tick(1.09900, 1.09900)  # -100 floating
    state = rig.engine.state(rig.LOGIN)
    assert state.equity == 99900.0 and state.margin == 1100.0
    assert state.margin_free == expected


@pytest.mark.parametrize("mode", ["hedging", "netting"])
@pytest.mark.parametrize(("free_mode", "retcode"), [(1, c.TRADE_RETCODE_DONE),
                                                    (3, c.TRADE_RETCODE_NO_MONEY)])
def test_margin_check_follows_margin_free_mode(mode: str, free_mode: int, retcode: int) -> None:
    rig = Rig(mode, balance=2000.0)
    rig.account.margin_free_mode = free_mode
    assert rig.buy(1.0).retcode == c.TRADE_RETCODE_DONE  # margin 1100
    rig.tick(1.11000, 1.11000)  # +1000 floating
    # Mode 1: free 2000 + 1000 - 1100 = 1900 >= 1110; mode 3 ignores the gain: 900 < 1110.
    assert rig.buy(1.0).retcode == retcode


def test_hedged_volume_needs_no_margin_when_margin_hedged_is_zero() -> None:
    rig = Rig("hedging", balance=1500.0)
    assert rig.buy(1.0).retcode == c.TRADE_RETCODE_DONE
    assert rig.sell(1.0).retcode == c.TRADE_RETCODE_DONE  # fully hedged: margin 0
    assert rig.engine.state(rig.LOGIN).margin == 0.0
    assert rig.buy(1.5).retcode == c.TRADE_RETCODE_NO_MONEY  # 1650 unhedged > 1500


def test_account_terms_carry_free_margin_modes() -> None:
    account = Account.from_config(AccountConfig(login=1, password="p", currency="EUR"))
    terms = account.terms()
    assert (terms.margin_free_mode, terms.margin_free_profit_mode) == (1, 0)
    account.margin_free_mode, account.margin_free_profit_mode = 3, 3
    terms = account.terms()
    assert (terms.margin_free_mode, terms.margin_free_profit_mode) == (3, 3)
    assert terms.currency == "EUR" and terms.leverage == 100 and terms.margin_mode == 2


@pytest.mark.parametrize("mode", ["hedging", "netting"])
def test_volume_limit_per_direction(mode: str) -> None:
    rig = Rig(mode)
    rig.market.patch("EURUSD", volume_limit=2.0)
    assert rig.buy(1.5).retcode == c.TRADE_RETCODE_DONE
    placed, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.5, type=2, price=1.09000)
    assert placed.retcode == c.TRADE_RETCODE_PLACED  # 1.5 held + 0.5 pending = the limit
    over, events = rig.send(trade_action=3, symbol="EURUSD", volume=0.01, type=0)
    assert over.retcode == c.TRADE_RETCODE_LIMIT_VOLUME and events == []
    pending, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.01, type=4, price=1.11000)
    assert pending.retcode == c.TRADE_RETCODE_LIMIT_VOLUME
    # The sell direction has its own allowance: 2 lots of sell limits fit, one more does not.
    sells, _ = rig.send(trade_action=5, symbol="EURUSD", volume=2.0, type=3, price=1.11000)
    assert sells.retcode == c.TRADE_RETCODE_PLACED
    more, _ = rig.send(trade_action=5, symbol="EURUSD", volume=0.01, type=3, price=1.11000)
    assert more.retcode == c.TRADE_RETCODE_LIMIT_VOLUME
    # Closing or reducing adds no exposure and is never limited.
    (position,) = rig.ledger.positions.values()
    close = {"position": position.ticket} if mode == "hedging" else {}
    out, _ = rig.send(trade_action=3, symbol="EURUSD", volume=1.0, type=1, **close)
    assert out.retcode == c.TRADE_RETCODE_DONE


def test_netting_reversal_counts_only_the_excess_against_the_limit() -> None:
    rig = Rig("netting")
    rig.market.patch("EURUSD", volume_limit=1.0)
    assert rig.buy(1.0).retcode == c.TRADE_RETCODE_DONE
    assert rig.sell(2.0).retcode == c.TRADE_RETCODE_DONE  # ends 1 lot short: at the limit
    assert rig.sell(2.5).retcode == c.TRADE_RETCODE_LIMIT_VOLUME  # would add 2.5 short
    assert rig.buy(2.0).retcode == c.TRADE_RETCODE_DONE  # reverses to 1 lot long
    assert rig.buy(2.5).retcode == c.TRADE_RETCODE_LIMIT_VOLUME


def test_no_limit_when_volume_limit_is_zero() -> None:
    rig = Rig()
    for _ in range(3):
        assert rig.buy(30.0).retcode == c.TRADE_RETCODE_DONE


def test_close_waits_for_a_conversion_quote() -> None:
    rig = Rig(market=Market(EURUSD, USDJPY, USDCHF), currency="EUR")
    rig.tick(0.90000, 0.90010, "USDCHF")
    opened = rig.buy(0.1, "USDCHF", sl=0.89000)
    assert opened.retcode == c.TRADE_RETCODE_DONE
    eurusd = rig.market.quotes.pop("EURUSD")
    # The SL is hit, but the CHF profit cannot be converted: nothing is booked on a guess.
    assert rig.tick(0.88990, 0.89000, "USDCHF") == []
    out, events = rig.send(trade_action=3, symbol="USDCHF", volume=0.1, type=1,
                           position=opened.order)
    assert out.retcode == c.TRADE_RETCODE_PRICE_OFF and events == []
    assert opened.order in rig.ledger.positions
    rig.market.quotes["EURUSD"] = (1.10000, 1.10020, eurusd[2])
    events = rig.tick(0.88990, 0.89000, "USDCHF")
    deal = events[-1].deal
    assert deal is not None and deal.reason == c.DEAL_REASON_SL
    # Bought at 0.90010, closed at 0.88990: -0.0102 x 10000 = -102 CHF. A loss: CHF -> USD
    # at the close price, USD -> EUR divided by EURUSD's bid (the smaller side).
    assert deal.profit == round(-102 / 0.88990 / 1.10000, 2) == -104.20
