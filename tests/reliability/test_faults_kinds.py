"""Every other fault the proxy injects, through the module API, and a simulator restart.

delay, stall, drop, truncate, corrupt and a cut in the middle of a frame (by byte count), each
on an ``order_send``; the judge is the same as in test_faults_module: the call returns within
its bound with a valid result or the sentinel + ``last_error()``, and what the client shows
(after ``initialize()`` again when the link died) is exactly the server's ledger.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.server import SimulatorHandle, start_simulator

from ._ledger import client_view, server_view
from .faultproxy import FaultProxy, ProxyThread, Rule
from .test_faults_module import (
    CALL_BOUND_S,
    LOST_LINK_CODES,
    OK,
    _connect,
    _deal,
    _limit,
    _open,
    _place,
)


@pytest.fixture
def terminal(proxy: FaultProxy) -> Iterator[mt5.Terminal]:
    t = _connect(proxy)
    yield t
    t.shutdown()


def _send(t: mt5.Terminal) -> tuple[object, tuple[int, str], float]:
    started = time.monotonic()
    result = t.order_send(_deal(t, mt5.ORDER_TYPE_BUY))
    return result, t.last_error(), time.monotonic() - started


def _assert_views_agree(sim: SimulatorHandle, proxy: FaultProxy, t: mt5.Terminal) -> None:
    """Compare on the live link when it survived, else after initialize() again."""
    if t.terminal_info() is not None:
        deadline = time.monotonic() + 2.0  # pushes of a late result may still be in flight
        while client_view(t) != server_view(sim) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client_view(t) == server_view(sim)
        return
    again = _connect(proxy)
    try:
        assert client_view(again) == server_view(sim)
    finally:
        again.shutdown()


def test_delayed_result_still_arrives(
    sim: SimulatorHandle, proxy: FaultProxy, terminal: mt5.Terminal
) -> None:
    proxy.arm(Rule("delay", "s2c", 19, seconds=0.5))
    result, error, elapsed = _send(terminal)
    assert result is not None and result.retcode in OK, error  # type: ignore[attr-defined]
    assert 0.5 <= elapsed < CALL_BOUND_S
    _assert_views_agree(sim, proxy, terminal)


def test_stalled_answer_times_out_then_link_recovers(
    sim: SimulatorHandle, proxy_thread: ProxyThread, proxy: FaultProxy, terminal: mt5.Terminal
) -> None:
    before = server_view(sim)
    proxy.arm(Rule("stall", "s2c", 12))
    result, error, elapsed = _send(terminal)
    assert result is None and error[0] == -10005 and elapsed < CALL_BOUND_S
    proxy_thread.call(proxy.release)
    # The held answer and push 19 now arrive late: they must resolve nothing else, and the
    # link keeps serving; the executed order shows up in the live view.
    assert len(server_view(sim).positions) == len(before.positions) + 1
    _assert_views_agree(sim, proxy, terminal)
    later = terminal.order_send(_limit(terminal))
    assert later is not None and later.retcode in OK, terminal.last_error()


def test_dropped_result_times_out_and_push10_keeps_view(
    sim: SimulatorHandle, proxy: FaultProxy, terminal: mt5.Terminal
) -> None:
    proxy.arm(Rule("drop", "s2c", 19))
    result, error, elapsed = _send(terminal)
    assert result is None and error[0] == -10005 and elapsed < CALL_BOUND_S
    _assert_views_agree(sim, proxy, terminal)


@pytest.mark.parametrize(("direction", "action", "applied"), [
    ("s2c", "truncate", True), ("s2c", "corrupt", True), ("c2s", "truncate", False),
    ("c2s", "corrupt", False),
])  # fmt: skip
def test_mangled_trade_frame(
    direction: str, action: str, applied: bool,
    sim: SimulatorHandle, proxy: FaultProxy, terminal: mt5.Terminal,
) -> None:  # fmt: skip
    before = server_view(sim)
    rule = Rule(action, direction, 12, keep=9)
    proxy.arm(rule)
    result, error, elapsed = _send(terminal)
    assert rule.fired == 1 and elapsed < CALL_BOUND_S
    after = server_view(sim)
    grown = len(after.positions) - len(before.positions)
    if result is None:
        assert error[0] in LOST_LINK_CODES, error
        assert grown == (1 if applied else 0)
    else:
        # The protocol has no integrity check (spec 1.3: AES without a MAC): a flipped bit
        # in a request can decrypt to another well-formed request, which the server judges
        # on its merits. Whatever it decided is exactly what the client was told.
        assert direction == "c2s" and action == "corrupt", (result, error)
        executed = result.retcode in OK  # type: ignore[attr-defined]
        assert grown == (1 if executed else 0)
    _assert_views_agree(sim, proxy, terminal)


@pytest.mark.parametrize(("direction", "count"), [("c2s", 3), ("c2s", 40), ("s2c", 1),
                                                  ("s2c", 6), ("s2c", 20)])  # fmt: skip
def test_cut_in_the_middle_of_a_frame(
    direction: str, count: int, sim: SimulatorHandle, proxy: FaultProxy, terminal: mt5.Terminal
) -> None:
    before = server_view(sim)
    request = _deal(terminal, mt5.ORDER_TYPE_BUY)
    if direction == "c2s":
        proxy.cut_at_byte(direction, count)  # nothing else travels c2s meanwhile
    else:
        proxy.arm(Rule("split", "s2c", 12, keep=count))  # ticks keep flowing s2c
    started = time.monotonic()
    result = terminal.order_send(request)
    assert time.monotonic() - started < CALL_BOUND_S
    assert result is None and terminal.last_error()[0] in LOST_LINK_CODES
    assert proxy.cuts >= 1
    grown = len(server_view(sim).positions) - len(before.positions)
    assert grown == (1 if direction == "s2c" else 0)
    _assert_views_agree(sim, proxy, terminal)


def test_simulator_restart_from_state_file_mid_request(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = start_simulator(host="127.0.0.1", port=0, seed=5, state_file=state)
    second: list[SimulatorHandle] = []
    try:
        with ProxyThread(first.url) as proxy:
            t = _connect(proxy)
            _open(t)
            _open(t, mt5.ORDER_TYPE_SELL)
            _place(t)
            before = server_view(first)
            proxy.arm(Rule("stall", "s2c", 12))  # executed, answer held: then the restart

            def restart() -> None:
                first.stop()  # closes every session and saves the state atomically
                second.append(start_simulator(host="127.0.0.1", port=0, seed=5,
                                              state_file=state))  # fmt: skip
                proxy.retarget(second[0].url)

            timer = threading.Timer(0.3, restart)
            timer.start()
            result, error, elapsed = _send(t)
            timer.join(10)
            assert result is None and error[0] in LOST_LINK_CODES and elapsed < CALL_BOUND_S
            restored = server_view(second[0])
            # The executed order survived the restart, exactly once.
            assert len(restored.positions) == len(before.positions) + 1
            assert set(before.positions) < set(restored.positions)
            assert set(restored.orders) == set(before.orders)
            proxy.disarm()
            t.shutdown()
            again = _connect(proxy)
            assert client_view(again) == restored
            # Ticket sequences were restored too: a new order gets a fresh ticket.
            fresh = again.order_send(_deal(again, mt5.ORDER_TYPE_BUY))
            assert fresh is not None and fresh.retcode in OK
            assert fresh.order not in restored.history | set(restored.orders)
            assert fresh.order > max(restored.history)
            again.shutdown()
    finally:
        first.stop()
        for handle in second:
            handle.stop()
