"""Fixtures of the server tests: a simulator on port 0 and a tiny wire client.

The helpers live in ``simwire.py`` (a unique module name: ``conftest`` is taken by every test
folder, so test modules import the helpers from there).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simwire import JULY_UTC_MS, ManualSim, WireClient, make_config, manual_clock

from MetaTrader5.server import SimulatorHandle, start_simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(make_config())
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def manual_sim() -> Iterator[ManualSim]:
    clock, source = manual_clock(JULY_UTC_MS)
    handle = start_simulator(make_config(), clock=clock)
    try:
        yield ManualSim(handle, source)
    finally:
        handle.stop()


@pytest.fixture
def client(sim: SimulatorHandle) -> Iterator[WireClient]:
    wire = WireClient(sim.url)
    try:
        yield wire
    finally:
        wire.close()


@pytest.fixture
def logged_in(client: WireClient) -> WireClient:
    frame = client.login()
    assert frame.code == 0
    return client
