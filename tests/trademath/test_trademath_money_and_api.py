from __future__ import annotations

import ast
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import MetaTrader5.trademath as trademath
from MetaTrader5.trademath import round_money


def test_round_money_half_away_from_zero_on_the_decimal_value() -> None:
    assert round_money(2.675, 2) == 2.68  # binary 2.67499999... still rounds up
    assert round_money(-2.675, 2) == -2.68
    assert round_money(1100.004999, 2) == 1100.0
    assert round_money(0.125, 2) == 0.13
    assert round_money(1234.5, 0) == 1235.0
    assert round_money(12.3456, 3) == 12.346


def test_round_money_edge_values() -> None:
    zero = round_money(-0.001, 2)
    assert zero == 0.0
    assert str(zero) == "0.0"  # no "-0.0" on screen
    assert round_money(float("inf"), 2) == float("inf")
    with pytest.raises(ValueError, match="digits"):
        round_money(1.0, -1)


@given(st.floats(min_value=-1e12, max_value=1e12), st.integers(min_value=0, max_value=8))
def test_round_money_is_idempotent_and_close(value: float, digits: int) -> None:
    once = round_money(value, digits)
    assert round_money(once, digits) == once
    assert abs(once - value) <= 0.5 * 10.0**-digits * (1 + 1e-9) + abs(value) * 1e-15


def test_public_names_are_exported() -> None:
    for name in trademath.__all__:
        assert hasattr(trademath, name), name
    assert len(set(trademath.__all__)) == len(trademath.__all__)


def test_trademath_imports_only_itself_and_constants() -> None:
    # contracts.md: trademath imports nothing from the package but MetaTrader5.constants
    root = pathlib.Path(trademath.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("MetaTrader5"):
                    assert name.startswith(("MetaTrader5.trademath", "MetaTrader5.constants")), (
                        f"{path.name} imports {name}"
                    )
                else:
                    top = name.split(".")[0]
                    assert top in {
                        "__future__",
                        "math",
                        "decimal",
                        "dataclasses",
                        "enum",
                        "collections",
                        "typing",
                    }, f"{path.name} imports {name}"
