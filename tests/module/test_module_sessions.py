"""Terminals against a real simulator: several accounts, threads, event loops, failures."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.terminal import Terminal


def test_two_terminals_drive_two_accounts_at_once(sim: Any, accounts: Any) -> None:
    first_account, second_account = accounts
    with Terminal() as first, Terminal() as second:
        assert first.initialize(sim.url, **first_account)
        assert second.initialize(sim.url, **second_account)
        a, b = first.account_info(), second.account_info()
        assert a is not None and b is not None
        assert (a.login, b.login) == (first_account["login"], second_account["login"])
        assert b.balance == 5000.0
        assert second.symbol_select("EURUSD", True)
        tick = second.symbol_info_tick("EURUSD")
        assert tick is not None
        request = {
            "action": mt5.TRADE_ACTION_DEAL,
            "symbol": "EURUSD",
            "volume": 0.1,
            "type": mt5.ORDER_TYPE_BUY,
            "price": tick.ask,
            "deviation": 20,
        }
        result = second.order_send(request)
        assert result is not None and result.retcode == mt5.TRADE_RETCODE_DONE, result
        # The position exists on the second account only.
        tickets = [p.ticket for p in second.positions_get(symbol="EURUSD") or ()]
        assert len(tickets) == 1
        assert all(p.ticket not in tickets for p in first.positions_get() or ())
        closing = second.positions_get(ticket=tickets[0])
        assert closing is not None and len(closing) == 1
        close_tick = second.symbol_info_tick("EURUSD")
        assert close_tick is not None
        done = second.order_send(
            {
                **request,
                "type": mt5.ORDER_TYPE_SELL,
                "price": close_tick.bid,
                "position": tickets[0],
            }
        )
        assert done is not None and done.retcode == mt5.TRADE_RETCODE_DONE
    # The context manager shut both down.
    assert first.account_info() is None
    assert first.last_error() == (-10004, "No IPC connection")


def test_login_switches_the_account_of_a_terminal(sim: Any, accounts: Any) -> None:
    first_account, second_account = accounts
    with Terminal() as term:
        assert term.initialize(sim.url, **first_account)
        assert term.login(second_account["login"], second_account["password"])
        info = term.account_info()
        assert info is not None and info.login == second_account["login"]
        # A refused login keeps the current account (and says why).
        assert term.login(second_account["login"], "wrong-password") is False
        assert term.last_error() == (-6, "Terminal: Authorization failed")
        info = term.account_info()
        assert info is not None and info.login == second_account["login"]


def test_wrong_password_fails_initialize_with_the_official_code(sim: Any, accounts: Any) -> None:
    first_account, _second_account = accounts
    term = Terminal()
    assert term.initialize(sim.url, login=first_account["login"], password="nope") is False
    assert term.last_error() == (-6, "Terminal: Authorization failed")
    assert term.account_info() is None
    assert term.last_error() == (-10004, "No IPC connection")


def test_unreachable_url_fails_initialize_with_10003(fresh_sim: Any, accounts: Any) -> None:
    first_account, _second_account = accounts
    url = fresh_sim.url
    fresh_sim.stop()
    term = Terminal()
    assert term.initialize(url, **first_account, timeout=3000) is False
    code, text = term.last_error()
    assert code == -10003
    assert text.startswith("IPC initialize failed, ")


def test_eight_threads_calling_at_once(terminal: Terminal) -> None:
    assert terminal.symbol_select("EURUSD", True)
    failures: list[Any] = []
    calls = 0
    lock = threading.Lock()

    def work(index: int) -> None:
        nonlocal calls
        for i in range(150):
            kind = (index + i) % 3
            if kind == 0:
                value: Any = terminal.symbol_info_tick("EURUSD")
            elif kind == 1:
                value = terminal.account_info()
            else:
                value = terminal.positions_total()
            with lock:
                calls += 1
                if value is None:
                    failures.append((index, i, terminal.last_error()))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert calls == 8 * 150
    assert failures == []


def test_calls_from_inside_a_running_event_loop(terminal: Terminal, accounts: Any) -> None:
    first_account, _second_account = accounts

    async def strategy() -> tuple[Any, Any]:
        # A sync call inside a coroutine blocks this loop but works (the bridge has its own).
        info = terminal.account_info()
        await asyncio.sleep(0)
        return info, terminal.symbols_total()

    info, total = asyncio.run(strategy())
    assert info is not None and info.login == first_account["login"]
    assert isinstance(total, int) and total > 0


def test_a_call_that_outlives_its_timeout_returns_the_sentinel(
    fresh_sim: Any, accounts: Any
) -> None:
    first_account, _second_account = accounts
    term = Terminal()
    assert term.initialize(fresh_sim.url, **first_account, timeout=500)
    # Freeze the simulator's loop for longer than the 0.5 s per-call timeout.
    fresh_sim.loop.call_soon_threadsafe(time.sleep, 1.5)
    started = time.monotonic()
    assert term.account_info() is None
    elapsed = time.monotonic() - started
    assert term.last_error() == (-10005, "IPC timeout")
    assert elapsed < 1.4
    term.shutdown()


def test_a_dropped_connection_surfaces_as_the_official_sentinels(
    fresh_sim: Any, accounts: Any
) -> None:
    first_account, _ = accounts
    term = Terminal()
    assert term.initialize(fresh_sim.url, **first_account, timeout=2000)
    assert term.account_info() is not None
    dropped = threading.Event()
    assert term.on_disconnect(lambda reason: dropped.set()) is not None
    started = time.monotonic()
    fresh_sim.stop()
    assert dropped.wait(5), "the client never noticed the dropped connection"
    assert term.account_info() is None
    assert term.last_error() == (-10004, "No IPC connection")
    assert term.positions_total() is None  # not answered from a stale cache
    assert term.symbol_select("EURUSD", True) is False
    assert term.last_error() == (-10004, "No IPC connection")
    assert term.symbol_info_tick("EURUSD") is None
    assert time.monotonic() - started < 5
    assert term.shutdown() is True
    assert term.last_error() == (1, "Success")


def test_a_call_in_flight_when_the_link_drops_returns_within_its_timeout(
    fresh_sim: Any, accounts: Any
) -> None:
    first_account, _ = accounts
    term = Terminal()
    assert term.initialize(fresh_sim.url, **first_account, timeout=1000)
    fresh_sim.loop.call_soon_threadsafe(time.sleep, 0.3)  # the next answer is late...
    stopper = threading.Timer(0.1, fresh_sim.stop)  # ...and the server goes away meanwhile
    stopper.start()
    started = time.monotonic()
    result = term.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_M1, 0, 10)
    elapsed = time.monotonic() - started
    stopper.join()
    if result is None:
        assert term.last_error()[0] in (-10002, -10004, -10005)
    assert elapsed < 2.0
    term.shutdown()


def test_shutdown_from_another_thread_while_calls_run(terminal: Terminal, accounts: Any) -> None:
    first_account, _second_account = accounts
    results: list[Any] = []

    def caller() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            results.append(terminal.account_info())
            if results[-1] is None:
                return

    thread = threading.Thread(target=caller)
    thread.start()
    time.sleep(0.05)
    assert terminal.shutdown() is True
    thread.join(30)
    assert not thread.is_alive()
    # Every call either succeeded or returned the sentinel; none raised or hung.
    assert all(r is None or r.login == first_account["login"] for r in results)
    assert results[-1] is None
