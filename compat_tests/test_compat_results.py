"""API.md 2.7, 2.8, 5, 7: result types, dtypes and the namespace."""

from __future__ import annotations

import pickle
from types import ModuleType
from typing import Any

import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

FIELD_COUNTS = {
    "AccountInfo": 28,
    "TerminalInfo": 22,
    "SymbolInfo": 96,
    "Tick": 8,
    "BookInfo": 4,
    "TradeOrder": 24,
    "TradePosition": 19,
    "TradeDeal": 18,
    "TradeRequest": 17,
    "OrderSendResult": 11,
    "OrderCheckResult": 9,
}


@compat(*[f"fields:{name}" for name in FIELD_COUNTS])
@pytest.mark.parametrize(("name", "size"), sorted(FIELD_COUNTS.items()))
def test_result_type_behaviour(mt5: ModuleType, name: str, size: int) -> None:
    cls = getattr(mt5, name)
    record: Any = cls(tuple(range(size)))
    assert issubclass(type(record), tuple)
    assert len(record) == size
    assert repr(record).startswith(f"{name}(")
    assert type(record._asdict()) is dict
    assert list(record._asdict().values()) == list(range(size))
    assert pickle.loads(pickle.dumps(record)) == record
    assert record == tuple(range(size))
    with pytest.raises(TypeError):
        cls(tuple(range(size + 1)))


@compat("fields:Tick", "fields:BookInfo")
def test_tick_and_book_field_names(mt5: ModuleType) -> None:
    tick = mt5.Tick((1, 1.1, 1.2, 0.0, 0, 1000, 6, 0.0))
    assert (tick.time, tick.bid, tick.ask, tick.time_msc, tick.flags) == (1, 1.1, 1.2, 1000, 6)
    book = mt5.BookInfo((1, 1.5, 10, 10.0))
    assert book._asdict() == {"type": 1, "price": 1.5, "volume": 10, "volume_dbl": 10.0}


@compat("fields:OrderCheckResult", "fields:TradeRequest")
def test_asdict_is_not_recursive(mt5: ModuleType) -> None:
    request = mt5.TradeRequest(tuple([0] * 17))
    result = mt5.OrderCheckResult((0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, "Done", request))
    assert result._asdict()["request"] is request
    assert result.request._asdict()["action"] == 0


@compat("dtype:rates")
def test_dtypes_via_numpy(mt5: ModuleType) -> None:
    np = pytest.importorskip("numpy")
    rates = np.dtype(
        [
            ("time", "<i8"),
            ("open", "<f8"),
            ("high", "<f8"),
            ("low", "<f8"),
            ("close", "<f8"),
            ("tick_volume", "<u8"),
            ("spread", "<i4"),
            ("real_volume", "<u8"),
        ]
    )
    assert rates.itemsize == 60


@compat(
    "constants:*",
    "errors",
    "function:Buy",
    "function:Sell",
    "function:Close",
)
def test_namespace(mt5: ModuleType) -> None:
    assert mt5.__version__ == "5.0.6231"
    assert mt5.__author__ == "MetaQuotes Ltd."
    assert mt5.TIMEFRAME_H1 == 16385
    assert mt5.TIMEFRAME_MN1 == 49153
    assert mt5.DEAL_DIVIDEND == 15
    assert mt5.RES_E_INTERNAL_FAIL_CONNECT == -10004
    for missing in ("SYMBOL_FILLING_FOK", "TRADE_RETCODE_HEDGE_PROHIBITED", "PERIOD_H1"):
        assert not hasattr(mt5, missing)
    assert sum(1 for n in dir(mt5) if n.isupper() and not n.startswith("_")) == 223
    for helper in ("Buy", "Sell", "Close"):
        assert callable(getattr(mt5, helper))
