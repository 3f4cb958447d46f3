"""_group_filter.py against the official reference transliteration (the behavioural oracle)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from MetaTrader5._group_filter import compile_group, filter_by_group, group_match, mask_match

_API = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "mt5_api.json").read_text(encoding="utf-8")
)
_ORACLE: dict[str, Any] = {}
exec(_API["group_filter"]["reference_python"], _ORACLE)
oracle_mask: Callable[[str, str], bool] = _ORACLE["_mask_match"]
oracle_group: Callable[[str, str], bool] = _ORACLE["group_match"]

masks = st.text(alphabet="ab1*!", max_size=8)
names = st.text(alphabet="ab1", max_size=7)
groups = st.text(alphabet="ab1*!, ", max_size=14)


@settings(max_examples=1500, deadline=None)
@given(masks, names)
def test_mask_matches_oracle(mask: str, name: str) -> None:
    assert mask_match(mask, name) == oracle_mask(mask, name)


@settings(max_examples=1000, deadline=None)
@given(groups, names)
def test_group_matches_oracle(group: str, name: str) -> None:
    assert group_match(group, name) == oracle_group(group, name)


def test_documented_quirks_and_ordinary_masks() -> None:
    assert not mask_match("*00", "US1000")
    assert not mask_match("*bb", "bbb")
    assert mask_match("EUR*", "EURUSD")
    assert mask_match("*USD*", "EURUSD.m")
    assert mask_match("*USD", "EURUSD")
    assert mask_match("*.m", "EURUSD.m")
    assert not mask_match("eur*", "EURUSD")  # case-sensitive
    assert not mask_match("EUR?SD", "EURUSD")  # '?' is literal
    assert mask_match("", "EURUSD")
    assert not mask_match("EUR", "EURUSD")


def test_group_rules() -> None:
    assert not group_match("", "EURUSD")
    assert group_match("*,!*USD*", "EURGBP")
    assert not group_match("!*USD*, *", "EURUSD")  # order-independent
    assert group_match("  ,EURUSD  ,GBPUSD", "EURUSD")  # leading/trailing spaces trimmed
    assert group_match("EUR USD", "EUR USD")  # inner spaces kept


def test_long_tokens_split_like_the_official_buffer() -> None:
    name = "A" * 300
    group = "A" * 300
    assert group_match(group, name) == oracle_group(group, name)
    assert group_match(group, "A" * 255) == oracle_group(group, "A" * 255)


def test_filter_by_group_keeps_order() -> None:
    items = [("EURUSD", 1), ("GBPJPY", 2), ("USDJPY", 3)]
    assert filter_by_group(items, "*JPY", lambda item: item[0]) == (("GBPJPY", 2), ("USDJPY", 3))
    keep = compile_group("*,!GBP*")
    assert [keep(n) for n, _ in items] == [True, False, True]
