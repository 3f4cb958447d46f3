"""The sync bridge: real loop thread, real threads, real timeouts (no mocks)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from MetaTrader5._bridge import Bridge, BridgeClosedError, BridgeTimeoutError


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge(name="test-bridge")
    yield b
    b.stop()


async def _double(x: int) -> int:
    await asyncio.sleep(0)
    return 2 * x


def test_call_returns_result_and_runs_in_bridge_thread(bridge: Bridge) -> None:
    async def where() -> str:
        return threading.current_thread().name

    assert bridge.call(_double(21), 5) == 42
    assert bridge.call(where(), 5) == "test-bridge"


def test_exceptions_propagate_unchanged(bridge: Bridge) -> None:
    async def boom() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        bridge.call(boom(), 5)


def test_timeout_cancels_the_coroutine(bridge: Bridge) -> None:
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(BridgeTimeoutError):
        bridge.call(slow(), 0.05)
    assert cancelled.wait(2), "the timed-out coroutine must be cancelled, not left running"
    # The loop is still healthy after a timeout.
    assert bridge.call(_double(1), 5) == 2


def test_many_threads_at_once(bridge: Bridge) -> None:
    results: dict[int, int] = {}

    def worker(i: int) -> None:
        for j in range(50):
            results[i * 1000 + j] = bridge.call(_double(i * 1000 + j), 5)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 400
    assert all(v == 2 * k for k, v in results.items())


def test_call_from_inside_a_running_event_loop(bridge: Bridge) -> None:
    async def user_code() -> int:
        # A strategy running in its own loop calls the synchronous API.
        return bridge.call(_double(5), 5)

    assert asyncio.run(user_code()) == 10


def test_call_from_bridge_thread_is_refused_not_deadlocked(bridge: Bridge) -> None:
    async def reentrant() -> str:
        try:
            bridge.call(_double(1), 1)
        except BridgeClosedError as exc:
            return str(exc)
        return "no error"

    assert "bridge thread" in bridge.call(reentrant(), 5)


def test_stop_cancels_pending_work_and_restarts_on_demand(bridge: Bridge) -> None:
    bridge.call(_double(1), 5)
    assert bridge.running
    bridge.stop()
    assert not bridge.running
    assert bridge.call(_double(3), 5) == 6


def test_interpreter_exit_does_not_hang_with_a_busy_loop() -> None:
    code = (
        "import asyncio\n"
        "from MetaTrader5._bridge import default_bridge\n"
        "b = default_bridge()\n"
        "async def forever():\n"
        "    await asyncio.sleep(3600)\n"
        "asyncio.run_coroutine_threadsafe(forever(), b.loop())\n"
        "print('exiting')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert "exiting" in done.stdout
