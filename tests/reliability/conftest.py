"""Fixtures of the reliability campaign: a simulator on port 0 and a fault proxy in front of it.

Both run on their own daemon threads, so the tests drive the synchronous module API
(``MetaTrader5.Terminal``) exactly as a user script does, and read the server's ledger from
the simulator object in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from MetaTrader5.server import SimulatorHandle, start_simulator
from MetaTrader5.server.config import DEFAULT_ACCOUNT

from .faultproxy import FaultProxy, ProxyThread

LOGIN = DEFAULT_ACCOUNT.login
PASSWORD = DEFAULT_ACCOUNT.password


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(host="127.0.0.1", port=0, seed=11)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def proxy_thread(sim: SimulatorHandle) -> Iterator[ProxyThread]:
    thread = ProxyThread(sim.url)
    with thread:
        yield thread


@pytest.fixture
def proxy(proxy_thread: ProxyThread) -> Iterator[FaultProxy]:
    """The module's proxy, with no rules armed and every link cut after the test."""
    fault_proxy = proxy_thread.proxy
    fault_proxy.disarm()
    yield fault_proxy
    fault_proxy.disarm()
    proxy_thread.call(fault_proxy.release)
    proxy_thread.call(fault_proxy.cut_all)


def ledger_of(sim: SimulatorHandle, login: int = LOGIN) -> Any:
    return sim.server.context.engine.ledger(login)
