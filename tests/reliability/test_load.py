"""The bounded CI version of scripts/load.py: concurrency without deadlocks or mixed answers.

No latency is asserted (figures belong to the script); what is asserted is that every session
is still served, that no thread hangs and that no thread ever receives another's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from MetaTrader5.server import SimulatorHandle, start_simulator

from ._scripts import load_script

load = load_script("load")


@pytest.fixture(scope="module")
def own_sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(host="127.0.0.1", port=0, seed=21)
    yield handle
    handle.stop()


def test_fifty_streaming_sessions_some_trading(own_sim: SimulatorHandle) -> None:
    figures = asyncio.run(asyncio.wait_for(
        load.run_sessions(own_sim.url, sessions=50, traders=5, seconds=3.0), 90))  # fmt: skip
    assert figures["ready_at_end"] == 50
    assert figures["sessions_with_ticks"] == 50
    assert figures["orders"] >= 5 and figures["order_failures"] == 0


def test_eight_threads_share_one_session(own_sim: SimulatorHandle) -> None:
    figures = load.run_threads(own_sim.url, threads=8, calls=500, deadline=60.0)
    assert figures["deadlocked_threads"] == 0
    assert figures["calls"] == 8 * 500
    assert figures["mixed_up"] == 0
    assert figures["failed"] == 0


def test_calls_from_a_running_event_loop(own_sim: SimulatorHandle) -> None:
    figures = load.run_in_loop(own_sim.url, calls=200)
    assert figures["in_loop_ok"] == 200
    # A call from an on_tick callback must come back (sentinel or value), never hang.
    assert figures["callback_returned"]
