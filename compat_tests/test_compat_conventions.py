"""API.md 2.1 and 9: calling conventions and the TypeErrors CPython raises."""

from __future__ import annotations

from types import ModuleType

import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

NOARGS = [
    "shutdown",
    "version",
    "last_error",
    "account_info",
    "terminal_info",
    "symbols_total",
    "orders_total",
    "positions_total",
]
POSITIONAL_ONLY = {
    "copy_rates_from": ("EURUSD", 16385, 0, 10),
    "copy_rates_from_pos": ("EURUSD", 16385, 0, 10),
    "copy_rates_range": ("EURUSD", 16385, 0, 1),
    "copy_ticks_from": ("EURUSD", 0, 10, -1),
    "copy_ticks_range": ("EURUSD", 0, 1, -1),
    "history_orders_total": (0, 1),
    "history_deals_total": (0, 1),
    "order_calc_margin": (0, "EURUSD", 1.0, 1.0),
    "order_calc_profit": (0, "EURUSD", 1.0, 1.0, 1.1),
    "symbol_info": ("EURUSD",),
    "symbol_info_tick": ("EURUSD",),
    "symbol_select": ("EURUSD",),
    "market_book_add": ("EURUSD",),
    "market_book_get": ("EURUSD",),
    "market_book_release": ("EURUSD",),
}
KEYWORDS = [
    "initialize",
    "login",
    "symbols_get",
    "orders_get",
    "positions_get",
    "history_orders_get",
    "history_deals_get",
    "order_check",
    "order_send",
]


@compat(*[f"function:{name}" for name in NOARGS])
@pytest.mark.parametrize("name", NOARGS)
def test_no_argument_functions(mt5: ModuleType, name: str) -> None:
    with pytest.raises(TypeError, match=rf"{name}\(\) takes no arguments \(2 given\)"):
        getattr(mt5, name)(1, 2)
    with pytest.raises(TypeError, match=rf"{name}\(\) takes no keyword arguments"):
        getattr(mt5, name)(a=1)


@compat(*[f"function:{name}" for name in POSITIONAL_ONLY])
@pytest.mark.parametrize("name", sorted(POSITIONAL_ONLY))
def test_positional_only_functions_reject_keywords(mt5: ModuleType, name: str) -> None:
    mt5.account_info()
    before = mt5.last_error()
    with pytest.raises(TypeError, match=rf"^{name}\(\) takes no keyword arguments$"):
        getattr(mt5, name)(*POSITIONAL_ONLY[name], extra=1)
    assert mt5.last_error() == before


@compat("function:symbol_select", "function:copy_rates_from")
def test_documented_keyword_mistakes_raise(mt5: ModuleType) -> None:
    with pytest.raises(TypeError):
        mt5.symbol_select("EURUSD", enable=True)
    with pytest.raises(TypeError):
        mt5.copy_rates_from("EURUSD", mt5.TIMEFRAME_H1, 0, count=10)


@compat(*[f"function:{name}" for name in KEYWORDS])
@pytest.mark.parametrize("name", KEYWORDS)
def test_keyword_functions_ignore_unknown_keywords(mt5: ModuleType, name: str) -> None:
    getattr(mt5, name)(surely_not_a_parameter=1)  # no TypeError


@compat("function:shutdown", "errors")
def test_shutdown_always_true_and_resets_last_error(mt5: ModuleType) -> None:
    mt5.account_info()
    assert mt5.shutdown() is True
    assert mt5.last_error() == (1, "Success")
    assert mt5.shutdown() is True
