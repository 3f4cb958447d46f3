"""Behaviour suite of the official MetaTrader5 semantics (written from API.md).

Runs against any implementation importable by name: ``pytest compat_tests
--mt5-module=MetaTrader5`` (the default). Tests here need no connection.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest


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
