"""How many sessions x ticks/s the simulated server sustains on this machine.

The server runs in this process (its own thread and loop, as ``start_simulator`` runs it) on a
clock that goes ``--speed`` times faster than real time, so the deterministic market produces
as many ticks per second as we want. The clients run in a separate process (so they do not
compete with the server for this interpreter's lock): each session bootstraps, logs in,
subscribes to every symbol of the catalogue (cmd 7) and counts the tick records it receives
(push 8, decrypted and decoded like any client would) whose time falls in a common window of
server time; "delivered %" compares that with the ticks the market produced in the window
(100 % = every session got every tick; less = the server lagged or dropped ticks for slow
peers). Figures only, no assertions.

    python scripts/bench_simulator.py [--seconds 5] [--sessions 1,10,50,100] [--speed 1,30]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from websockets.asyncio.client import connect

from MetaTrader5.protocol import bulk, crypto, frames
from MetaTrader5.protocol.messages.auth import client_id, encode_login_request
from MetaTrader5.protocol.messages.session import encode_id_list
from MetaTrader5.protocol.schemas.auth import LoginRequest
from MetaTrader5.server import start_simulator
from MetaTrader5.server.clock import ServerClock, ServerTimezone
from MetaTrader5.server.config import DEFAULT_ACCOUNT, SimulatorConfig

#: 2026-07-15 13:00 UTC, a Wednesday in the London/New York overlap (busy market).
START_UTC_MS = 1_784_120_400_000
#: Seconds after the window during which late ticks of the window still count.
GRACE = 2.0


@dataclass
class Window:
    """The counting window in server time (ms), shared by the sessions of the client process."""

    start: int = 0
    end: int = 0
    open: bool = False
    done: bool = False


async def _client(url: str, ids: list[int], index: int, ready: asyncio.Event,
                  window: Window) -> int:
    async with connect(url, compression=None, max_size=None, open_timeout=60) as ws:
        await ws.send(frames.encode_client_message(crypto.INITIAL_KEY, 0, bytes(64)))
        boot = frames.decode_server_message(crypto.INITIAL_KEY, await ws.recv(decode=False))
        key = bytes(boot.body[66:])
        login = LoginRequest(password=DEFAULT_ACCOUNT.password, cid=client_id(f"b{index}"),
                             login=DEFAULT_ACCOUNT.login)
        await ws.send(frames.encode_client_message(key, 28, encode_login_request(login)))
        await ws.send(frames.encode_client_message(key, 7, encode_id_list(ids)))
        count = 0
        while not window.done:
            try:
                message = await asyncio.wait_for(ws.recv(decode=False), 0.2)
            except TimeoutError:
                continue
            frame = frames.decode_server_message(key, message)
            if frame.command != 8:
                continue
            ready.set()
            if window.open:
                ticks = bulk.decode_ticks(frame.body)
                msc = ticks["time"].astype(np.int64) * 1000 + ticks["time_ms"]
                count += int(np.count_nonzero((msc >= window.start) & (msc < window.end)))
        return count


def _clients(url: str, ids: list[int], plan: tuple[float, ...], out: Any) -> None:
    sessions, seconds, t0, speed, offset_ms = plan
    sessions = int(sessions)

    def server_ms(mono: float) -> int:
        return START_UTC_MS + int((mono - t0) * 1000 * speed) + int(offset_ms)

    async def run() -> tuple[list[int], int, int]:
        window = Window()
        events = [asyncio.Event() for _ in range(sessions)]
        tasks = [asyncio.create_task(_client(url, ids, i, events[i], window))
                 for i in range(sessions)]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 120)
        await asyncio.sleep(1.0)  # the subscription bursts pass
        mono = time.monotonic()
        window.start, window.end = server_ms(mono), server_ms(mono + seconds)
        window.open = True
        await asyncio.sleep(seconds + GRACE)  # ticks of the window still arriving count
        window.done = True
        counts = list(await asyncio.gather(*tasks))
        return counts, window.start, window.end

    out.put(asyncio.run(run()))


def measure(sessions: int, speed: float, seconds: float) -> dict[str, float]:
    t0 = time.monotonic()

    def now_utc_ms() -> int:
        return START_UTC_MS + int((time.monotonic() - t0) * 1000 * speed)

    clock = ServerClock(ServerTimezone(2, True), now_utc_ms)
    handle = start_simulator(SimulatorConfig(seed=11), clock=clock)
    try:
        context = handle.server.context
        ids = [spec.symbol_id for spec in context.catalog.symbols]
        stream = context.stream
        assert stream is not None
        offset_ms = 1000 * clock.timezone.offset_seconds(START_UTC_MS // 1000)
        queue: Any = mp.get_context("spawn").Queue()
        process = mp.get_context("spawn").Process(
            target=_clients,
            args=(handle.url, ids, (sessions, seconds, t0, speed, offset_ms), queue),
        )
        steps0, started = stream.steps, time.monotonic()
        process.start()
        counts, start, end = queue.get(timeout=300 + seconds)
        process.join(30)
        steps_per_s = (stream.steps - steps0) / (time.monotonic() - started)
        # exactly the ticks the market produced in the counting window, all symbols
        produced = sum(
            len(context.market.ticks(spec.name, start, end - 1))
            for spec in context.catalog.symbols
        )
    finally:
        handle.stop()
    delivered = sum(counts)
    return {
        "sessions": sessions,
        "speed": speed,
        "symbols": len(ids),
        "produced_per_session": produced / seconds,
        "delivered_total": delivered / seconds,
        "delivered_per_session": delivered / seconds / sessions,
        "ratio": delivered / (produced * sessions) if produced else 0.0,
        "steps_per_s": steps_per_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--sessions", default="1,10,50,100")
    parser.add_argument("--speed", default="1,30")
    args = parser.parse_args()
    print(f"{'sessions':>8} {'speed':>6} {'symbols':>7} {'ticks/s/session':>16} "
          f"{'delivered ticks/s':>18} {'per session':>12} {'delivered %':>11} {'steps/s':>8}")
    for speed in (float(s) for s in args.speed.split(",")):
        for sessions in (int(n) for n in args.sessions.split(",")):
            r = measure(sessions, speed, args.seconds)
            print(f"{r['sessions']:>8.0f} {r['speed']:>6.0f} {r['symbols']:>7.0f} "
                  f"{r['produced_per_session']:>16.0f} {r['delivered_total']:>18.0f} "
                  f"{r['delivered_per_session']:>12.0f} {100 * r['ratio']:>10.1f}% "
                  f"{r['steps_per_s']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
