"""Behaviour suite of the official MetaTrader5 semantics (written from API.md).

Runs against any implementation importable by name: ``pytest compat_tests
--mt5-module=MetaTrader5`` (the default). The `mt5` fixture is disconnected; `live` is
initialized (a real terminal takes its account from MT5_COMPAT_* variables, ours uses its
embedded simulator) and `trading` additionally requires a demo account.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType

import pytest

#: Statuses of the compatibility matrix (docs/compat_matrix.rst), weakest first: a subject's
#: status is the strongest one any marker gives it (a calling-convention test saying
#: "identical" does not hide that the values are computed).
COMPAT_STATUSES = ("identical", "computed", "neutral", "unavailable")


def pytest_configure(config: pytest.Config) -> None:
    # Metadata only: scripts/make_compat_matrix.py collects these markers into the matrix.
    config.addinivalue_line(
        "markers",
        "compat(*subjects, status='identical', note=''): the official behaviour this test "
        "proves. Subjects: 'function:NAME', 'fields:Type' or 'fields:Type.a,b', "
        "'constants:GROUP' or 'constants:*', 'dtype:rates|ticks', 'errors'. Status: "
        + " / ".join(COMPAT_STATUSES),
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mt5-module",
        default="MetaTrader5",
        help="import name of the MetaTrader5 implementation under test",
    )


@pytest.fixture
def mt5(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """The module under test, disconnected before and after each test."""
    module = importlib.import_module(request.config.getoption("--mt5-module"))
    module.shutdown()
    yield module
    module.shutdown()


def _account_from_env() -> dict[str, object]:
    """initialize() arguments for a real terminal (MT5_COMPAT_*); ours needs none."""
    kwargs: dict[str, object] = {}
    if os.environ.get("MT5_COMPAT_LOGIN"):
        kwargs["login"] = int(os.environ["MT5_COMPAT_LOGIN"])
    for key in ("password", "server"):
        value = os.environ.get(f"MT5_COMPAT_{key.upper()}")
        if value:
            kwargs[key] = value
    return kwargs


@pytest.fixture(scope="session")
def symbol() -> str:
    """The symbol the live tests trade and query (MT5_COMPAT_SYMBOL, default EURUSD)."""
    return os.environ.get("MT5_COMPAT_SYMBOL", "EURUSD")


@pytest.fixture
def live(request: pytest.FixtureRequest, symbol: str) -> Iterator[ModuleType]:
    """The module under test, initialized (MT5_COMPAT_PATH / _LOGIN / _PASSWORD / _SERVER on
    a real terminal; our implementation falls back to its embedded simulator), with
    ``symbol`` selected in Market Watch."""
    module = importlib.import_module(request.config.getoption("--mt5-module"))
    path = os.environ.get("MT5_COMPAT_PATH")
    args = (path,) if path else ()
    assert module.initialize(*args, **_account_from_env()), module.last_error()
    assert module.symbol_select(symbol, True), module.last_error()
    yield module
    module.shutdown()


MAGIC = 7_310_001
#: Every order of the trading tests carries this comment too (a Web Terminal cannot set magic).
COMMENT = "compat"


def _ours(order: object) -> bool:
    return getattr(order, "magic", 0) == MAGIC or getattr(order, "comment", "") == COMMENT


@pytest.fixture
def trading(live: ModuleType, symbol: str) -> Iterator[ModuleType]:
    """``live`` on a DEMO account only; removes this suite's orders and positions after."""
    account = live.account_info()
    if account is None or account.trade_mode != live.ACCOUNT_TRADE_MODE_DEMO:
        pytest.skip("trading tests run on demo accounts only")
    yield live
    for order in live.orders_get() or ():
        if _ours(order):
            live.order_send({"action": live.TRADE_ACTION_REMOVE, "order": order.ticket})
    for position in live.positions_get() or ():
        if _ours(position):
            tick = live.symbol_info_tick(position.symbol)
            buy = position.type == live.POSITION_TYPE_SELL
            live.order_send(
                {
                    "action": live.TRADE_ACTION_DEAL,
                    "symbol": position.symbol,
                    "volume": position.volume,
                    "type": live.ORDER_TYPE_BUY if buy else live.ORDER_TYPE_SELL,
                    "price": tick.ask if buy else tick.bid,
                    "position": position.ticket,
                    "deviation": 50,
                    "magic": MAGIC,
                    "comment": COMMENT,
                }
            )
