"""Soak run: many symbols streaming, orders flowing, memory and table sizes sampled.

One process holds the simulator and several ``WebTerminalClient`` sessions on one event loop.
Every session subscribes to the ticks of many symbols; some sessions also open and close a
small position in a loop. Every ``--interval`` seconds a row is printed with the process RSS
and the sizes of every table that could grow without bound: requests waiting for an answer
(transport), trade requests waiting for push 19 and unresolved ones (trading service), rows
and bytes in the tick store, stream subscribers, and the simulator's sessions and ledger.

The ledger's history (orders and deals) grows by design - it is the account's history - and
is shown so that its share of any RSS growth can be told apart.

Usage::

    .venv/bin/python scripts/soak.py --minutes 60 --png docs/_static/soak_memory.png

``run_soak()`` is also used by the short CI version (tests/reliability/test_soak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from MetaTrader5.client import WebTerminalClient
from MetaTrader5.records import TradeRequest
from MetaTrader5.server.app import SimulatorServer
from MetaTrader5.server.config import DEFAULT_ACCOUNT

__all__ = ["Sample", "rss_mb", "run_soak", "main"]


@dataclass
class Sample:
    """One row of the soak table."""

    t: float
    rss_mb: float
    pending: int  # transport requests waiting for an answer, all sessions
    trade_waiting: int  # order_send futures waiting for push 19
    unresolved: int  # trade requests whose result was lost
    tick_rows: int  # rows held by the tick rings, all sessions
    tick_mb: float
    subscribers: int  # stream callbacks/iterators registered, all sessions
    ticks_seen: int  # ticks delivered so far (progress, not a size)
    trades_done: int
    server_sessions: int
    server_positions: int
    server_history: int  # history orders + deals (grows by design)
    gc_objects: int


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc; 0.0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _request(**fields: Any) -> TradeRequest:
    base: dict[str, Any] = dict(
        action=1, magic=77, order=0, symbol="EURUSD", volume=0.01, price=0.0, stoplimit=0.0,
        sl=0.0, tp=0.0, deviation=50, type=0, type_filling=0, type_time=0, expiration=0,
        comment="soak", position=0, position_by=0,
    )  # fmt: skip
    base.update(fields)
    return TradeRequest(tuple(base.values()))


async def _trader(client: WebTerminalClient, symbol: str, pause: float, done: list[int]) -> None:
    """Open then close one position, forever (a failed round trip is counted, not fatal)."""
    while True:
        opened = await client.order_send(_request(symbol=symbol))
        if opened.retcode == 10009 and opened.order:
            closed = await client.order_send(_request(symbol=symbol, type=1, position=opened.order))
            if closed.retcode == 10009:
                done[0] += 1
        await asyncio.sleep(pause)


def _sample(t0: float, server: SimulatorServer, clients: list[WebTerminalClient],
            ticks: list[int], trades: list[int]) -> Sample:  # fmt: skip
    pending = waiting = unresolved = rows = nbytes = subs = 0
    for c in clients:
        transport = c._transport
        pending += transport.pending_count if transport is not None else 0
        waiting += c.trading.pending_count
        unresolved += len(c.trading.unresolved)
        store = c.market.ticks
        rows += sum(len(store._rings[s]) for s in store.symbols())
        nbytes += store.nbytes
        subs += sum(len(v) for v in c.hub._subs.values())
    engine = server.context.engine
    positions = history = 0
    for ledger in engine.ledgers.values():
        positions += len(ledger.positions)
        history += len(ledger.all_history_orders()) + len(ledger.all_deals())
    return Sample(
        t=round(time.monotonic() - t0, 1), rss_mb=round(rss_mb(), 1), pending=pending,
        trade_waiting=waiting, unresolved=unresolved, tick_rows=rows,
        tick_mb=round(nbytes / 2**20, 2), subscribers=subs, ticks_seen=ticks[0],
        trades_done=trades[0], server_sessions=len(server.context.sessions),
        server_positions=positions, server_history=history, gc_objects=len(gc.get_objects()),
    )  # fmt: skip


HEADER = ("t(s)", "RSS MiB", "pending", "waiting", "unresolved", "tick rows", "tick MiB",
          "subs", "ticks", "trades", "sessions", "positions", "history", "gc objs")  # fmt: skip


def _row(s: Sample) -> str:
    return "".join(f"{v!s:>11}" for v in asdict(s).values())


async def run_soak(
    seconds: float,
    *,
    sessions: int = 4,
    symbols: int = 30,
    traders: int = 2,
    interval: float = 5.0,
    max_ticks: int = 500,
    trade_pause: float = 0.5,
    echo: bool = True,
) -> list[Sample]:
    """Run the soak for ``seconds`` and return the samples (first one taken after warm-up)."""
    samples: list[Sample] = []
    ticks, trades = [0], [0]
    async with SimulatorServer(seed=7) as server:
        names = [s.name for s in server.context.catalog.symbols][:symbols]
        clients: list[WebTerminalClient] = []
        tasks: list[asyncio.Task[None]] = []
        try:
            for i in range(sessions):
                c = WebTerminalClient(server.url, login=DEFAULT_ACCOUNT.login,
                                      password=DEFAULT_ACCOUNT.password, max_ticks=max_ticks,
                                      name=f"soak-{i}")  # fmt: skip
                await c.open()
                clients.append(c)

                def count(_tick: object) -> None:
                    ticks[0] += 1

                c.on_tick(count)
                await c.subscribe(*names)
            for i in range(min(traders, sessions)):
                symbol = ("EURUSD", "GBPUSD", "USDJPY", "AUDUSD")[i % 4]
                tasks.append(asyncio.create_task(_trader(clients[i], symbol, trade_pause,
                                                         trades)))  # fmt: skip
            if echo:
                print("".join(f"{h:>11}" for h in HEADER), flush=True)
            t0 = time.monotonic()
            while True:
                samples.append(_sample(t0, server, clients, ticks, trades))
                if echo:
                    print(_row(samples[-1]), flush=True)
                for task in tasks:
                    if task.done() and task.exception() is not None:
                        raise RuntimeError("trader failed") from task.exception()
                if time.monotonic() - t0 >= seconds:
                    break
                await asyncio.sleep(min(interval, max(0.0, seconds - (time.monotonic() - t0))))
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            for c in clients:
                await c.close()
    return samples


def _chart(samples: list[Sample], path: str) -> None:
    try:
        import matplotlib  # noqa: PLC0415 - optional, never a package dependency

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        print("matplotlib not installed: no chart", file=sys.stderr)
        return
    minutes = [s.t / 60 for s in samples]
    fig, left = plt.subplots(figsize=(8, 3.5))
    left.plot(minutes, [s.rss_mb for s in samples], label="RSS (MiB)", color="tab:blue")
    left.set_xlabel("minutes")
    left.set_ylabel("RSS MiB")
    left.set_ylim(bottom=0)
    right = left.twinx()
    right.plot(minutes, [s.pending + s.trade_waiting + s.unresolved for s in samples],
               label="pending+waiting+unresolved", color="tab:red")  # fmt: skip
    right.set_ylabel("pending requests")
    right.set_ylim(bottom=0, top=max(10, *(s.pending + s.trade_waiting for s in samples)))
    fig.legend(loc="lower right")
    fig.suptitle("mt5web soak: process memory and pending tables")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    print(f"chart written to {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--symbols", type=int, default=30)
    parser.add_argument("--traders", type=int, default=2)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--png", default="", help="write a memory chart (needs matplotlib)")
    args = parser.parse_args(argv)
    samples = asyncio.run(run_soak(args.minutes * 60, sessions=args.sessions,
                                   symbols=args.symbols, traders=args.traders,
                                   interval=args.interval))  # fmt: skip
    warm = samples[min(len(samples) - 1, max(1, len(samples) // 10))]
    last = samples[-1]
    print(f"\nsummary: {last.t / 60:.1f} min, {last.ticks_seen} ticks delivered, "
          f"{last.trades_done} open/close round trips; RSS {samples[0].rss_mb} MiB at start, "
          f"{warm.rss_mb} MiB after warm-up, {last.rss_mb} MiB at the end; "
          f"max pending {max(s.pending for s in samples)}, max waiting "
          f"{max(s.trade_waiting for s in samples)}, max unresolved "
          f"{max(s.unresolved for s in samples)}, server history {last.server_history} "
          "records")  # fmt: skip
    if args.png:
        _chart(samples, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
