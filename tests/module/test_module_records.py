"""Result types: structseq-like construction, repr, _asdict, pickling, comparison."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from MetaTrader5.records import RECORD_TYPES, OrderSendResult, Tick, TradeRequest

REQUEST = TradeRequest((1, 2, 3, "EURUSD", 0.1, 1.1, 0.0, 1.0, 1.2, 10, 0, 1, 0, 0, "c", 0, 0))


def test_single_sequence_constructor_and_attribute_access() -> None:
    tick = Tick([1, 1.1, 1.2, 0.0, 5, 1000, 6, 5.0])
    assert tick.bid == 1.1
    assert tick.time_msc == 1000
    assert tick[6] == 6
    assert Tick(iter(tick)) == tick  # any iterable, like PySequence_Fast


def test_wrong_length_and_non_sequence_raise_type_error_like_structseq() -> None:
    with pytest.raises(TypeError, match=r"^Tick\(\) takes a 8-sequence \(2-sequence given\)$"):
        Tick((1, 2))
    with pytest.raises(TypeError, match="constructor requires a sequence"):
        Tick(5)  # type: ignore[arg-type]  # the point of the test
    with pytest.raises(TypeError):
        Tick(*range(8))


def test_repr_has_no_module_prefix_and_nests() -> None:
    result = OrderSendResult((10009, 1, 2, 0.1, 1.1, 1.1, 1.2, "Request executed", 3, 0, REQUEST))
    text = repr(result)
    assert text.startswith("OrderSendResult(retcode=10009, deal=1, ")
    assert "request=TradeRequest(action=1, magic=2, " in text


def test_asdict_is_plain_and_shallow() -> None:
    result = OrderSendResult((10009, 1, 2, 0.1, 1.1, 1.1, 1.2, "done", 3, 0, REQUEST))
    as_dict = result._asdict()
    assert type(as_dict) is dict
    assert list(as_dict) == list(OrderSendResult._fields)
    assert as_dict["request"] is REQUEST  # not recursive (API.md 2.7)


@pytest.mark.parametrize("cls", RECORD_TYPES)
def test_pickle_copy_and_tuple_comparison(cls: Any) -> None:
    size = len(cls._fields)
    record = cls(tuple(range(size)))
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(record, protocol))
        assert clone == record
        assert type(clone) is cls
    assert copy.copy(record) == record
    assert copy.deepcopy(record) == record
    assert record == tuple(range(size))
    assert record < tuple(range(1, size + 1))
    assert hash(record) == hash(tuple(range(size)))


def test_fast_constructor_builds_the_same_record() -> None:
    values = (1, 1.1, 1.2, 0.0, 5, 1000, 6, 5.0)
    fast = Tick._from_sequence(values)
    assert type(fast) is Tick
    assert fast == Tick(values)
    assert fast.volume_real == 5.0


def test_namedtuple_extras_exist_and_keep_the_type() -> None:
    tick = Tick((0, 0.0, 0.0, 0.0, 0, 0, 0, 0.0))
    replaced = tick._replace(bid=1.5)
    assert type(replaced) is Tick
    assert replaced.bid == 1.5
    assert Tick._make(range(8)) == tuple(range(8))
