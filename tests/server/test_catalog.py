"""The built-in symbol catalogue: coverage, unique ids, consistent contract terms, groups."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from MetaTrader5 import constants as c
from MetaTrader5.server.catalog import Catalog, default_catalog

MAJORS = ("EUR", "USD", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD")


def test_all_28_pairs_of_the_majors_exactly_once() -> None:
    cat = default_catalog()
    for a, b in itertools.combinations(MAJORS, 2):
        present = [n for n in (a + b, b + a) if n in cat]
        assert len(present) == 1, (a, b, present)
        spec = cat.by_name(present[0])
        assert spec is not None
        folder = "Majors" if "USD" in (a, b) else "Crosses"
        assert spec.path == f"Forex\\{folder}\\{spec.name}"
    majors = [s for s in cat if s.path.startswith("Forex\\Majors\\")]
    crosses = [s for s in cat if s.path.startswith("Forex\\Crosses\\")]
    assert len(majors) == 7
    assert len(crosses) == 21


@pytest.mark.parametrize(
    ("name", "folder"),
    [("USDRUB", "Forex\\Exotics"), ("EURRUB", "Forex\\Exotics"), ("USDTRY", "Forex\\Exotics"),
     ("XAUUSD", "Metals"), ("XAGUSD", "Metals"), ("US30", "Indices"), ("DE40", "Indices"),
     ("JP225", "Indices"), ("BTCUSD", "Crypto"), ("ETHUSD", "Crypto"), ("AAPL", "Stocks\\US"),
     ("TSLA", "Stocks\\US")],
)
def test_other_classes_are_in_their_folder(name: str, folder: str) -> None:
    spec = default_catalog().by_name(name)
    assert spec is not None
    assert spec.path == f"{folder}\\{name}"


def test_ids_and_names_unique_and_lookups_roundtrip() -> None:
    cat = default_catalog()
    ids = [s.symbol_id for s in cat]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**32 for i in ids)
    for spec in cat:
        assert cat.by_id(spec.symbol_id) is spec
        assert cat.by_name(spec.name) is spec
    assert cat.by_name("NOPE") is None
    assert cat.by_id(999_999) is None


def test_ids_and_order_are_stable_across_builds() -> None:
    first = [(s.name, s.symbol_id) for s in default_catalog()]
    second = [(s.name, s.symbol_id) for s in default_catalog("realistic")]
    assert first == second


def test_contract_terms_are_consistent() -> None:
    for spec in default_catalog():
        ct = spec.contract
        assert ct.name == spec.name
        assert spec.point == pytest.approx(10.0**-spec.digits)
        assert ct.tick_size == pytest.approx(spec.point)
        assert ct.tick_value == pytest.approx(ct.contract_size * ct.tick_size)
        assert 0 < spec.volume_min <= spec.volume_max
        assert spec.volume_step > 0
        steps = spec.volume_min / spec.volume_step
        assert abs(steps - round(steps)) < 1e-9
        assert spec.start_price > 0 and spec.spread_points > 0 and spec.volatility > 0
        assert spec.stops_level >= 0 and spec.freeze_level >= 0
        if spec.category == "Forex":
            assert ct.contract_size == 100_000
            assert ct.calc_mode == c.SYMBOL_CALC_MODE_FOREX
            if spec.name.endswith("JPY"):
                assert spec.digits == 3
            elif not spec.path.startswith("Forex\\Exotics"):
                assert spec.digits == 5
            assert spec.fill_flags == 1 | 2  # FOK | IOC
            assert ct.currency_base == spec.name[:3] and ct.currency_profit == spec.name[3:]


def test_specific_contracts() -> None:
    cat = default_catalog()
    expect = {"EURUSD": (5, 100_000), "USDJPY": (3, 100_000), "XAUUSD": (2, 100),
              "XAGUSD": (3, 5000), "US500": (2, 1), "BTCUSD": (2, 1)}
    for name, (digits, size) in expect.items():
        spec = cat.by_name(name)
        assert spec is not None
        assert (spec.digits, spec.contract.contract_size) == (digits, size)
    aapl = cat.by_name("AAPL")
    assert aapl is not None
    assert aapl.contract.calc_mode in (c.SYMBOL_CALC_MODE_CFD, c.SYMBOL_CALC_MODE_EXCH_STOCKS)
    assert aapl.volume_min == 1.0 and aapl.volume_step == 1.0


def test_cross_start_prices_are_triangular() -> None:
    cat = default_catalog()

    def price(name: str) -> float:
        spec = cat.by_name(name)
        assert spec is not None
        return spec.start_price

    assert price("EURJPY") == pytest.approx(price("EURUSD") * price("USDJPY"), rel=1e-3)
    assert price("EURGBP") == pytest.approx(price("EURUSD") / price("GBPUSD"), rel=1e-3)
    assert price("AUDNZD") == pytest.approx(price("AUDUSD") / price("NZDUSD"), rel=1e-3)


def test_groups_and_contract_specs() -> None:
    cat = default_catalog()
    groups = cat.groups()
    for g in ("Forex\\Majors", "Forex\\Crosses", "Forex\\Exotics", "Metals", "Indices",
              "Crypto", "Stocks\\US"):
        assert g in groups
    assert len(set(groups)) == len(groups)
    specs = cat.contract_specs()
    assert list(specs) == [s.name for s in cat.symbols]
    assert specs["EURUSD"].currency_profit == "USD"


def test_catalog_rejects_duplicates() -> None:
    spec = default_catalog().symbols[0]
    with pytest.raises(ValueError, match="duplicate symbol name"):
        Catalog([spec, spec])
    other = dataclasses.replace(spec, name="OTHER", path="Forex\\OTHER")
    with pytest.raises(ValueError, match="duplicate symbol id"):
        Catalog([spec, other])
    with pytest.raises(ValueError, match="sessions"):
        default_catalog("sometimes")


def test_sessions_modes() -> None:
    always = default_catalog()
    real = default_catalog("realistic")
    saturday, friday, monday = 6, 5, 1
    for name in ("EURUSD", "XAUUSD", "US30", "AAPL"):
        a, r = always.by_name(name), real.by_name(name)
        assert a is not None and r is not None
        assert a.sessions.is_trading(saturday, 600)
        assert not r.sessions.is_trading(saturday, 600)
        assert r.sessions.is_quoting(monday, 1200) == r.sessions.is_trading(monday, 1200)
    eurusd = real.by_name("EURUSD")
    assert eurusd is not None
    assert eurusd.sessions.is_trading(friday, 1438) and not eurusd.sessions.is_trading(friday, 1439)
    aapl = real.by_name("AAPL")
    assert aapl is not None
    assert not aapl.sessions.is_trading(monday, 600) and aapl.sessions.is_trading(monday, 1000)
    btc = real.by_name("BTCUSD")
    assert btc is not None and btc.sessions.is_trading(saturday, 600)
