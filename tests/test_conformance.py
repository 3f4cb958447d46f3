"""Conformance of the public surface with the reference JSON (API.md companion).

Fails on any drift: names, values, orders, field orders, dtypes, calling conventions,
docstrings, error codes and the failure sentinel of every function before initialize().
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5 import constants, errors, records
from MetaTrader5.terminal import Terminal

REPO = Path(__file__).resolve().parents[1]
LOCAL_JSON = REPO / "tests" / "data" / "mt5_api.json"
SHARED_JSON = Path(__file__).resolve().parents[2] / "shared" / "reference" / "mt5_api.json"
API: dict[str, Any] = json.loads(LOCAL_JSON.read_text(encoding="utf-8"))

C_FUNCTIONS = [name for name, spec in API["functions"].items() if "c_flags" in spec]
HELPERS = [
    name
    for name, spec in API["functions"].items()
    if spec.get("python_helper") and not spec.get("private")
]
ERROR_CODES = {int(code): spec for code, spec in API["errors"].items() if not code.startswith("_")}
NOT_PRESENT = ["SYMBOL_FILLING_FOK", "SYMBOL_FILLING_IOC", "TRADE_RETCODE_HEDGE_PROHIBITED"]

# One valid call per function and its failure sentinel before initialize() (API.md 2.2, 4).
NO_IPC = (-10004, "No IPC connection")
SUCCESS = (1, "Success")
BEFORE_INIT: dict[str, tuple[tuple[Any, ...], dict[str, Any], Any, tuple[int, str]]] = {
    "login": ((123,), {"password": "pw", "server": "srv"}, False, NO_IPC),
    "version": ((), {}, (0, 0, ""), NO_IPC),
    "account_info": ((), {}, None, NO_IPC),
    "terminal_info": ((), {}, None, NO_IPC),
    "symbols_total": ((), {}, None, NO_IPC),
    "symbols_get": ((), {"group": "*USD*"}, None, NO_IPC),
    "symbol_info": (("EURUSD",), {}, None, NO_IPC),
    "symbol_info_tick": (("EURUSD",), {}, None, NO_IPC),
    "symbol_select": (("EURUSD", True), {}, False, NO_IPC),
    "market_book_add": (("EURUSD",), {}, False, SUCCESS),
    "market_book_get": (("EURUSD",), {}, None, NO_IPC),
    "market_book_release": (("EURUSD",), {}, False, SUCCESS),
    "copy_rates_from": (("EURUSD", 16385, 1_600_000_000, 10), {}, None, NO_IPC),
    "copy_rates_from_pos": (("EURUSD", 16385, 0, 10), {}, None, NO_IPC),
    "copy_rates_range": (("EURUSD", 16385, 1_600_000_000, 1_600_100_000), {}, None, NO_IPC),
    "copy_ticks_from": (("EURUSD", 1_600_000_000, 10, -1), {}, None, NO_IPC),
    "copy_ticks_range": (("EURUSD", 1_600_000_000, 1_600_100_000, -1), {}, None, NO_IPC),
    "orders_total": ((), {}, None, NO_IPC),
    "orders_get": ((), {"symbol": "EURUSD"}, None, NO_IPC),
    "order_calc_margin": ((0, "EURUSD", 1.0, 1.1), {}, None, NO_IPC),
    "order_calc_profit": ((0, "EURUSD", 1.0, 1.1, 1.2), {}, None, NO_IPC),
    "order_check": (({"action": 1, "symbol": "EURUSD", "volume": 0.1},), {}, None, NO_IPC),
    "order_send": (({"action": 1, "symbol": "EURUSD", "volume": 0.1},), {}, None, NO_IPC),
    "positions_total": ((), {}, None, NO_IPC),
    "positions_get": ((), {"ticket": 5}, None, NO_IPC),
    "history_orders_total": ((0, 1_600_000_000), {}, None, NO_IPC),
    "history_orders_get": ((0, 1_600_000_000), {"group": "*"}, None, NO_IPC),
    "history_deals_total": ((0, 1_600_000_000), {}, None, NO_IPC),
    "history_deals_get": ((), {"position": 7}, None, NO_IPC),
}
NEVER_FAIL = {"initialize", "shutdown", "last_error"}


def test_repo_copy_of_json_is_identical_to_shared_reference() -> None:
    if not SHARED_JSON.exists():
        pytest.skip("shared reference not next to the repository")
    assert LOCAL_JSON.read_bytes() == SHARED_JSON.read_bytes()


def test_constants_names_values_and_order() -> None:
    assert constants.__all__ == list(API["constants"])
    for name, value in API["constants"].items():
        assert getattr(mt5, name) == value, name
        assert type(getattr(mt5, name)) is int
    grouped = [name for names in API["constant_groups"].values() for name in names]
    assert grouped == list(API["constants"])


def test_module_has_no_constant_the_official_lacks() -> None:
    public_upper = {name for name in dir(mt5) if name.isupper() and not name.startswith("_")}
    assert public_upper == set(API["constants"])
    for name in NOT_PRESENT:
        assert not hasattr(mt5, name)
    assert not any(name.startswith(("PERIOD_", "SYMBOL_EXPIRATION_")) for name in dir(mt5))


def test_module_attributes() -> None:
    attrs = API["source_versions"]["module_attributes"]
    assert mt5.__version__ == attrs["__version__"]
    assert mt5.__author__ == attrs["__author__"]
    for name in attrs["exported_types"]:
        assert isinstance(getattr(mt5, name), type)


@pytest.mark.parametrize("name", list(API["structs"]))
def test_struct_field_order_and_construction(name: str) -> None:
    cls = getattr(mt5, name)
    fields = [field for field, _ in API["structs"][name]]
    assert list(cls._fields) == fields
    assert [field for field, _ in API["struct_c_types"][name]] == fields
    values = tuple(range(len(fields)))
    record: Any = cls(values)
    assert issubclass(type(record), tuple)
    assert tuple(record) == values
    assert len(record) == len(fields)
    assert repr(record).startswith(f"{name}({fields[0]}=0, ")
    assert list(record._asdict()) == fields
    with pytest.raises(TypeError):
        cls(values[:-1])


@pytest.mark.parametrize(
    ("key", "dtype"), [("rates", records.RATES_DTYPE), ("ticks", records.TICKS_DTYPE)]
)
def test_dtypes(key: str, dtype: Any) -> None:
    expected = [(field, fmt) for field, fmt in API["dtypes"][key]]
    assert [(field, dtype.fields[field][0].str) for field in dtype.names] == expected
    assert dtype.itemsize == 60
    assert [dtype.fields[field][1] for field in dtype.names] == [0, 8, 16, 24, 32, 40, 48, 52]


@pytest.mark.parametrize("name", C_FUNCTIONS)
def test_function_docstring_and_presence(name: str) -> None:
    function = getattr(mt5, name)
    assert function.__name__ == name
    assert function.__doc__ == API["functions"][name]["c_docstring"]
    assert getattr(Terminal, name).__doc__ == API["functions"][name]["c_docstring"]


@pytest.mark.parametrize("name", C_FUNCTIONS)
def test_calling_convention(name: str) -> None:
    flags = API["functions"][name]["c_flags"]
    function = getattr(mt5, name)
    before = mt5.last_error()
    if flags == "METH_NOARGS":
        with pytest.raises(TypeError, match=rf"^{name}\(\) takes no arguments \(1 given\)$"):
            function(1)
        with pytest.raises(TypeError, match=rf"^{name}\(\) takes no keyword arguments$"):
            function(x=1)
    elif flags == "METH_VARARGS":
        with pytest.raises(TypeError, match=rf"^{name}\(\) takes no keyword arguments$"):
            function("EURUSD", unknown=1)
    else:
        assert flags == "METH_VARARGS|METH_KEYWORDS"
        function(unknown_keyword=1)  # unknown keywords are ignored, no TypeError
        mt5.shutdown()  # initialize() may have connected (to the embedded simulator)
    if flags != "METH_VARARGS|METH_KEYWORDS":
        assert mt5.last_error() == before  # CPython refused the call: body never ran


@pytest.mark.parametrize("name", sorted(BEFORE_INIT))
def test_sentinel_before_initialize(name: str) -> None:
    args, kwargs, sentinel, error = BEFORE_INIT[name]
    terminal = Terminal()
    assert terminal.last_error() == (0, "")
    result = getattr(terminal, name)(*args, **kwargs)
    assert result == sentinel
    assert type(result) is type(sentinel)
    assert terminal.last_error() == error


def test_every_failing_function_is_covered() -> None:
    assert set(BEFORE_INIT) | NEVER_FAIL == set(C_FUNCTIONS)


def test_initialize_and_shutdown_without_terminal() -> None:
    # Our "terminal" is always there (the embedded simulator); an unreachable endpoint
    # fails the way a missing terminal does: False and -10003 with a detail (API.md 8).
    terminal = Terminal()
    assert terminal.shutdown() is True
    assert terminal.last_error() == SUCCESS
    assert terminal.initialize("ws://127.0.0.1:9/terminal", login=1, password="x") is False
    code, text = terminal.last_error()
    assert code == -10003
    assert text.startswith("IPC initialize failed, ")


def test_namespace_is_official_plus_the_documented_extras() -> None:
    from types import ModuleType

    from MetaTrader5.extras import FACE_EXTRAS

    official = (
        set(C_FUNCTIONS)
        | set(HELPERS)
        | set(API["source_versions"]["module_attributes"]["exported_types"])
        | set(API["constants"])
    )
    public = {
        name
        for name in dir(mt5)
        if not name.startswith("_") and not isinstance(getattr(mt5, name), ModuleType)
    }
    assert public == official | set(FACE_EXTRAS)
    assert not any(name.isupper() for name in FACE_EXTRAS)  # never an unofficial constant
    assert set(mt5.__all__) == official  # star-import gives the official names only


@pytest.mark.parametrize("name", HELPERS)
def test_helper_signatures(name: str) -> None:
    assert _same_parameters(getattr(mt5, name), API["functions"][name]["params"])


def _same_parameters(function: Any, params: list[dict[str, Any]]) -> bool:
    kinds = {"positional_or_keyword": "POSITIONAL_OR_KEYWORD", "keyword": "KEYWORD_ONLY"}
    actual = inspect.signature(function).parameters
    return list(actual) == [p["name"] for p in params] and all(
        actual[p["name"]].kind.name == kinds[p["kind"]]
        and (p["required"] or actual[p["name"]].default == p["default"])
        for p in params
    )


def test_error_codes_and_texts() -> None:
    assert set(errors.ERROR_TEXTS) == set(ERROR_CODES)
    for code, spec in ERROR_CODES.items():
        assert errors.ERROR_TEXTS[code] == spec["message"]
        assert errors.ERROR_NAMES[code] == spec["name"]
        assert API["constants"][spec["name"]] == code


def test_counts_cover_the_whole_reference(capsys: pytest.CaptureFixture[str]) -> None:
    counts = {
        "functions": len(C_FUNCTIONS),
        "helpers": len(HELPERS),
        "types": len(API["structs"]),
        "dtypes": len([key for key in API["dtypes"] if not key.startswith("_")]),
        "constants": len(API["constants"]),
        "error_codes": len(ERROR_CODES),
    }
    assert counts == {
        "functions": 32,
        "helpers": 3,
        "types": 11,
        "dtypes": 2,
        "constants": 223,
        "error_codes": 15,
    }
    from MetaTrader5.extras import surface_summary

    assert surface_summary() == counts
    assert len(BEFORE_INIT) + len(NEVER_FAIL) == counts["functions"]
    with capsys.disabled():
        print(f"\nconformance covered: {counts}")
