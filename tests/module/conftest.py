"""Fixtures of the module-layer tests: a dedicated simulator with two accounts (port 0)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from MetaTrader5.terminal import Terminal

FIRST = {"login": 5000001, "password": "mt5web-demo"}
SECOND = {"login": 5000002, "password": "second-account"}


def _config() -> Any:
    from MetaTrader5.server.accounts import AccountConfig
    from MetaTrader5.server.config import DEFAULT_ACCOUNT, SimulatorConfig

    second = AccountConfig(
        login=SECOND["login"], password=SECOND["password"], balance=5000.0, name="Second"
    )
    return SimulatorConfig(accounts=(DEFAULT_ACCOUNT, second))


@pytest.fixture(scope="session")
def sim() -> Iterator[Any]:
    """One simulator for the session, two accounts, on an ephemeral loopback port."""
    from MetaTrader5.server import start_simulator

    handle = start_simulator(_config(), host="127.0.0.1", port=0)
    yield handle
    handle.stop()


@pytest.fixture
def fresh_sim() -> Iterator[Any]:
    """A simulator of its own, for tests that stop it under a live session."""
    from MetaTrader5.server import start_simulator

    handle = start_simulator(_config(), host="127.0.0.1", port=0)
    yield handle
    handle.stop()


@pytest.fixture
def terminal(sim: Any) -> Iterator[Terminal]:
    """A Terminal logged in to the first account of ``sim``."""
    term = Terminal()
    assert term.initialize(sim.url, **FIRST), term.last_error()
    yield term
    term.shutdown()


@pytest.fixture
def accounts() -> tuple[dict[str, Any], dict[str, Any]]:
    """Login and password of the simulator's two accounts (first is the default demo)."""
    return dict(FIRST), dict(SECOND)
