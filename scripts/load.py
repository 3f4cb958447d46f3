"""Load: many concurrent sessions on one simulator, many threads on one module session.

Three figures, each with latency percentiles:

* ``sessions`` - N ``WebTerminalClient`` sessions on one event loop, every one streaming the
  ticks of a few symbols, some of them trading (open + close) in a loop, against one
  simulator running in another process. Every session must still be ``ready`` at the end and
  have received ticks; order round trips are timed.
* ``threads`` - T threads x C calls of the synchronous module API on ONE session: each thread
  asks ``symbol_info`` / ``symbol_info_tick`` of its own symbol and checks that every answer
  names that symbol (a mixed-up answer is counted); a thread that does not finish in time
  is a deadlock.
* ``in_loop`` - module calls made from inside a running asyncio event loop (a coroutine
  calling the blocking API, as in Jupyter) and from inside an ``on_tick`` callback.

Usage::

    .venv/bin/python scripts/load.py --sessions 200 --traders 20 --threads 8 --calls 10000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import threading
import time
from typing import Any

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.client import WebTerminalClient
from MetaTrader5.records import TradeRequest
from MetaTrader5.server.config import DEFAULT_ACCOUNT

__all__ = ["percentiles", "run_in_loop", "run_sessions", "run_threads", "simulator_process"]

LOGIN, PASSWORD = DEFAULT_ACCOUNT.login, DEFAULT_ACCOUNT.password
THREAD_SYMBOLS = ("EURUSD", "GBPUSD", "USDJPY", "USDCHF", "AUDUSD", "USDCAD", "NZDUSD",
                  "EURGBP", "EURJPY", "GBPJPY", "XAUUSD", "BTCUSD")  # fmt: skip


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p90/p99/max in milliseconds of samples in seconds."""
    if not samples:
        return {}
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"n": len(ordered), "p50_ms": pick(0.50), "p90_ms": pick(0.90),
            "p99_ms": pick(0.99), "max_ms": round(ordered[-1] * 1000, 2)}  # fmt: skip


def _serve(queue: Any, stop: Any) -> None:
    from MetaTrader5.server import start_simulator  # noqa: PLC0415

    handle = start_simulator(host="127.0.0.1", port=0, seed=9)
    queue.put(handle.url)
    stop.wait()
    handle.stop()


class simulator_process:  # noqa: N801 - used like a function in ``with``
    """The simulator in a child process (so it does not share the GIL with the clients)."""

    def __enter__(self) -> str:
        context = multiprocessing.get_context("spawn")
        queue, self._stop = context.Queue(), context.Event()
        self._process = context.Process(target=_serve, args=(queue, self._stop), daemon=True)
        self._process.start()
        return str(queue.get(timeout=60))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()


def _request(**fields: Any) -> TradeRequest:
    base: dict[str, Any] = dict(
        action=1, magic=5, order=0, symbol="EURUSD", volume=0.01, price=0.0, stoplimit=0.0,
        sl=0.0, tp=0.0, deviation=50, type=0, type_filling=0, type_time=0, expiration=0,
        comment="load", position=0, position_by=0,
    )  # fmt: skip
    base.update(fields)
    return TradeRequest(tuple(base.values()))


async def run_sessions(url: str, sessions: int, traders: int, seconds: float,
                       symbols: int = 5) -> dict[str, Any]:  # fmt: skip
    """N streaming sessions, ``traders`` of them trading, for ``seconds`` (module docstring)."""
    clients: list[WebTerminalClient] = []
    ticks = [0] * sessions
    connect_times: list[float] = []
    order_times: list[float] = []
    failures: list[str] = []

    async def open_one(i: int) -> None:
        c = WebTerminalClient(url, login=LOGIN, password=PASSWORD, name=f"load-{i}",
                              timeout=30.0, connect_timeout=60.0)  # fmt: skip
        started = time.perf_counter()
        await c.open()
        connect_times.append(time.perf_counter() - started)
        c.on_tick(lambda _t: ticks.__setitem__(i, ticks[i] + 1))
        names = THREAD_SYMBOLS[i % 4 : i % 4 + symbols]
        await c.subscribe(*names)
        clients.append(c)

    async def trade(c: WebTerminalClient, end: float) -> None:
        while time.monotonic() < end:
            started = time.perf_counter()
            opened = await c.order_send(_request())
            order_times.append(time.perf_counter() - started)
            if opened.retcode != 10009:
                failures.append(f"open {opened.retcode}")
                continue
            started = time.perf_counter()
            closed = await c.order_send(_request(type=1, position=opened.order))
            order_times.append(time.perf_counter() - started)
            if closed.retcode != 10009:
                failures.append(f"close {closed.retcode}")
            await asyncio.sleep(0.05)

    try:
        for first in range(0, sessions, 25):  # connect in waves: a realistic login storm
            await asyncio.gather(*(open_one(i) for i in range(first, min(sessions, first + 25))))
        end = time.monotonic() + seconds
        await asyncio.gather(*(trade(c, end) for c in clients[:traders]),
                             asyncio.sleep(seconds))  # fmt: skip
        ready = sum(c.state == "ready" for c in clients)
        with_ticks = sum(1 for n in ticks if n > 0)
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return {"sessions": sessions, "ready_at_end": ready, "sessions_with_ticks": with_ticks,
            "ticks": sum(ticks), "orders": len(order_times), "order_failures": len(failures),
            "connect": percentiles(connect_times),
            "order_send": percentiles(order_times)}  # fmt: skip


def run_threads(url: str, threads: int, calls: int, deadline: float = 600.0) -> dict[str, Any]:
    """T threads x C module calls on one session; mixed-up answers and deadlocks counted."""
    terminal = mt5.Terminal()
    if not terminal.initialize(path=url, login=LOGIN, password=PASSWORD, timeout=30000):
        raise RuntimeError(f"initialize failed: {terminal.last_error()}")
    mixed = [0]
    failed = [0]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    for symbol in THREAD_SYMBOLS[:threads]:
        terminal.symbol_select(symbol, True)

    def worker(n: int) -> None:
        symbol = THREAD_SYMBOLS[n % len(THREAD_SYMBOLS)]
        mine = latencies[n]
        for i in range(calls):
            started = time.perf_counter()
            if i % 2:
                info = terminal.symbol_info(symbol)
                name = None if info is None else info.name
            else:
                tick = terminal.symbol_info_tick(symbol)
                # A tick carries no name: check it is priced like this symbol's info.
                name = symbol if tick is not None and tick.bid > 0 else None
            mine.append(time.perf_counter() - started)
            if name is None:
                failed[0] += 1
            elif name != symbol:
                mixed[0] += 1

    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join(max(0.0, deadline - (time.perf_counter() - started)))
    seconds = time.perf_counter() - started
    deadlocked = sum(t.is_alive() for t in pool)
    terminal.shutdown()
    flat = [x for per in latencies for x in per]
    return {"threads": threads, "calls": len(flat), "seconds": round(seconds, 2),
            "calls_per_s": round(len(flat) / seconds), "mixed_up": mixed[0],
            "failed": failed[0], "deadlocked_threads": deadlocked,
            "latency": percentiles(flat)}  # fmt: skip


def run_in_loop(url: str, calls: int) -> dict[str, Any]:
    """Module calls from a running event loop and from an on_tick callback."""
    terminal = mt5.Terminal()
    if not terminal.initialize(path=url, login=LOGIN, password=PASSWORD, timeout=30000):
        raise RuntimeError(f"initialize failed: {terminal.last_error()}")
    latencies: list[float] = []

    async def inside() -> int:
        ok = 0
        for _ in range(calls):
            started = time.perf_counter()
            info = terminal.symbol_info("EURUSD")  # blocking call inside a running loop
            latencies.append(time.perf_counter() - started)
            ok += info is not None and info.name == "EURUSD"
            await asyncio.sleep(0)
        return ok

    ok = asyncio.run(asyncio.wait_for(inside(), 120))
    from_callback: list[Any] = []
    done = threading.Event()

    def on_tick(_tick: Any) -> None:
        if not done.is_set():
            info = terminal.symbol_info("EURUSD")
            from_callback.append((info is not None, terminal.last_error()))
            done.set()

    listener = terminal.on_tick(on_tick, "EURUSD")
    callback_returned = done.wait(20)
    if listener is not None:
        listener.cancel()
    terminal.shutdown()
    return {"in_loop_calls": calls, "in_loop_ok": ok, "latency": percentiles(latencies),
            "callback_returned": callback_returned,
            "callback_result": from_callback[0] if from_callback else None}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--traders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args(argv)
    with simulator_process() as url:
        print("sessions:", asyncio.run(run_sessions(url, args.sessions, args.traders,
                                                    args.seconds)), flush=True)  # fmt: skip
        threads = run_threads(url, args.threads, args.calls)
        print("threads:", threads, flush=True)
        print("in_loop:", run_in_loop(url, min(args.calls, 2000)), flush=True)
    return 1 if threads["mixed_up"] or threads["deadlocked_threads"] else 0


if __name__ == "__main__":
    sys.exit(main())
