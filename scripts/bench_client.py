"""Benchmark the async client against the simulator over loopback.

Prints:
* market-order round trip (order_send -> cmd 12 -> u32 -> push 10/19 -> result): median, p99;
* ticks per second decoded and dispatched to a per-tick callback, through the transport's
  receive path (AES decrypt + frame decode + numpy tick decode + state + callback), fed with
  push 8 messages of 50 ticks built by the protocol core.

Usage: .venv/bin/python scripts/bench_client.py [--orders 300] [--messages 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np

from MetaTrader5.client import WebTerminalClient
from MetaTrader5.protocol import bulk, frames
from MetaTrader5.records import TICKS_DTYPE, TradeRequest
from MetaTrader5.server.app import SimulatorServer
from MetaTrader5.server.config import DEFAULT_ACCOUNT


def _request(kind: int, position: int = 0) -> TradeRequest:
    return TradeRequest((1, 0, 0, "EURUSD", 0.01, 0.0, 0.0, 0.0, 0.0, 10, kind, 0, 0, 0, "",
                         position, 0))  # fmt: skip


async def bench(orders: int, messages: int) -> None:
    async with SimulatorServer() as server, WebTerminalClient.connect(
        server.url, login=DEFAULT_ACCOUNT.login, password=DEFAULT_ACCOUNT.password,
        requests_per_second=10_000, burst=1000,
    ) as client:  # fmt: skip
        await client.wait_ticks("EURUSD")
        for _ in range(10):  # warm-up (symbol terms cached, code paths hot)
            await client.order_send(_request(0))
        times = []
        for i in range(orders):
            start = time.perf_counter()
            result = await client.order_send(_request(i % 2))
            times.append(time.perf_counter() - start)
            if result.retcode != 10009:
                raise SystemExit(f"unexpected retcode {result.retcode}")
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        median = statistics.median(times) * 1e3
        print(f"market order round trip over loopback: median {median:.2f} ms, "
              f"p99 {p99 * 1e3:.2f} ms ({orders} orders)")

        entry = client.market.entry("EURUSD")
        if entry is None or client._transport is None:
            raise SystemExit("no EURUSD")
        official = np.zeros(50, TICKS_DTYPE)
        base = entry.time_msc + 1000
        official["time_msc"] = base + np.arange(50)
        official["bid"] = entry.bid + np.arange(50) * 1e-5
        official["ask"] = official["bid"] + 1e-4
        official["flags"] = 6
        body = bulk.encode_ticks(bulk.official_to_ticks(official, entry.symbol_id, entry.digits))
        key = client._transport.connection.key
        wire = [frames.encode_server_message(key, 8, 0, body) for _ in range(64)]
        count = [0]

        def on_tick(_tick: object) -> None:
            count[0] += 1

        client.on_tick(on_tick, "EURUSD")
        transport = client._transport
        start = time.perf_counter()
        for i in range(messages):
            # Each message moves the clock forward so no tick is dropped as out of order.
            entry.bidask_msc = 0
            transport._dispatch(wire[i % len(wire)])
        elapsed = time.perf_counter() - start
        print(f"ticks decoded and dispatched to a per-tick callback: {count[0] / elapsed:,.0f} "
              f"ticks/s ({count[0]} ticks in {messages} push 8 messages of 50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(bench(args.orders, args.messages))


if __name__ == "__main__":
    main()
