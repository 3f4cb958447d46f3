"""P3 (tick stream decode and dispatch), P6 (simulator sessions) and the tick-store memory.

P3 feeds pre-encoded push 8 messages (encrypted with the live session key of a real client)
through ``Transport._dispatch`` - the very function the transport's reader calls for every
WebSocket message - so the figure is the client's decrypt + decode + state update + tick
store + ``on_tick`` dispatch, without the network. The batch figure uses the same protocol
core (``ClientConnection.receive_data``, ``bulk.decode_ticks``) and the client's lean
``official_ticks`` conversion, handing each push to the callback as one ``TICKS_DTYPE``
array; the client's own ``on_ticks`` API (quote state and tick store included) is measured
through ``Transport._dispatch`` as well. The end-to-end figure runs
the simulator in another process on a clock running ``P3_SPEED`` times faster than real time.

P6 runs the simulator in one process (real-time clock, UTC+0 so tick times are UTC) and N
raw-protocol sessions in another; each session subscribes to every symbol and measures, for
every tick, ``arrival time - tick time``. A step passes while the p99 of that lag stays under
:data:`LAG_LIMIT_MS` and the sessions receive at least :data:`DELIVERY_MIN` of the ticks the
market produced in the measurement window.
"""

# ruff: noqa: PLC0415, PLR0917 - lazy imports keep child processes light; mt5 is the official alias

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from typing import Any

import numpy as np
from _bench_util import Config, Row, Stat, peak_rss_mb, rss_mb, stat_of

from MetaTrader5.client._ticks import official_ticks
from MetaTrader5.protocol import Command, bulk, crypto, frames

__all__ = ["stream_rows", "sessions_rows", "store_memory", "LAG_LIMIT_MS", "DELIVERY_MIN"]

#: P6 pass criteria (documented in docs/benchmarks.rst).
LAG_LIMIT_MS = 300.0
DELIVERY_MIN = 0.99
#: P3 end-to-end: simulated market time per real second (75 symbols x ~76 ticks/s at 1x).
P3_SPEED = 1500.0
_TICKS_PER_PUSH = 100
_PUSH_SYMBOLS = 10


# --- P3 ----------------------------------------------------------------------------------


def _messages(key: bytes, entries: list[Any], n: int, start_s: int,
              per_push: int = _TICKS_PER_PUSH) -> list[bytes]:  # fmt: skip
    """``n`` ticks as push 8 messages of ``per_push`` ticks, times strictly increasing."""
    wire = np.zeros(n, bulk.TICK_DTYPE)
    i = np.arange(n)
    ids = np.array([e.symbol_id for e in entries])
    scale = np.array([10.0**e.digits for e in entries])
    which = i % len(entries)
    wire["symbol_id"] = ids[which]
    wire["time"] = start_s + i // 1000
    wire["time_ms"] = i % 1000
    wire["fields"] = 3
    wire["bid"] = np.rint((1.0 + (i % 97) / 1e4) * scale[which])
    wire["ask"] = wire["bid"] + 3
    return [frames.encode_server_message(key, Command.TICKS, 0,
                                         bulk.encode_ticks(wire[lo:lo + per_push]))
            for lo in range(0, n, per_push)]  # fmt: skip


async def _dispatch_runs(client: Any, cfg: Config, repeats: int) -> dict[str, list[float]]:
    transport = client._transport
    key = transport.connection.key
    entries = [e for e in client.market._by_name.values()][:_PUSH_SYMBOLS]
    lut = np.zeros(max(e.symbol_id for e in client.market._by_name.values()) + 1, np.int64)
    for e in client.market._by_name.values():
        lut[e.symbol_id] = e.digits
    seen = [0]

    def per_tick(tick: Any) -> None:
        seen[0] += 1

    def per_batch(array: Any) -> None:
        seen[0] += len(array)

    start_s = int(time.time()) + 10 * 365 * 86_400  # newer than anything the feed sent
    out: dict[str, list[float]] = {"floor": [], "per_tick": [], "batch": [], "batch1000": [],
                                   "on_ticks": []}  # fmt: skip

    def per_symbol_batch(symbol: str, array: Any) -> None:
        seen[0] += len(array)

    scale = 10.0**lut

    def batch(messages: list[bytes]) -> float:
        seen[0] = 0
        t = time.perf_counter()
        for m in messages:
            for event in connection.receive_data(m):
                rows = bulk.decode_ticks(event.body)
                per_batch(official_ticks(rows, scale.take(rows["symbol_id"])))
        elapsed = time.perf_counter() - t
        if seen[0] != cfg.push_ticks:
            raise RuntimeError(f"batch path delivered {seen[0]} of {cfg.push_ticks}")
        return elapsed

    connection = transport.connection
    sub = client.on_tick(per_tick)
    try:
        for r in range(repeats):
            messages = _messages(key, entries, cfg.push_ticks, start_s + r * 100_000)
            t = time.perf_counter()
            for m in messages:
                np.frombuffer(crypto.decrypt(key, frames.unpack_outer(m)), bulk.TICK_DTYPE,
                              offset=5)  # fmt: skip
            out["floor"].append(time.perf_counter() - t)
            await asyncio.sleep(0.05)  # let the loop breathe (heartbeats of other clients)
            seen[0] = 0
            t = time.perf_counter()
            for m in messages:
                transport._dispatch(m)
            out["per_tick"].append(time.perf_counter() - t)
            await asyncio.sleep(0.05)
            if seen[0] != cfg.push_ticks:
                raise RuntimeError(f"per-tick path delivered {seen[0]} of {cfg.push_ticks}")
            out["batch"].append(batch(messages))
            # The client's batch API end to end: Transport._dispatch with on_ticks only.
            sub.cancel()
            api = client.on_ticks(per_symbol_batch)
            fresh = _messages(key, entries, cfg.push_ticks, start_s + r * 100_000 + 50_000)
            await asyncio.sleep(0.05)
            seen[0] = 0
            t = time.perf_counter()
            for m in fresh:
                transport._dispatch(m)
            out["on_ticks"].append(time.perf_counter() - t)
            api.cancel()
            sub = client.on_tick(per_tick)
            if seen[0] != cfg.push_ticks:
                raise RuntimeError(f"on_ticks delivered {seen[0]} of {cfg.push_ticks}")
            await asyncio.sleep(0.05)
            out["batch1000"].append(
                batch(_messages(key, entries, cfg.push_ticks, start_s - (r + 1) * 100_000, 1000))
            )
    finally:
        sub.cancel()
    return out


def _rate(n: int, times: list[float]) -> Stat:
    """Ticks/s from elapsed times (median of rates; min/max swap with times)."""
    return stat_of([n / t for t in times])


def _serve(speed: float, utc: bool, conn: Any) -> None:
    """Child process: a simulator on a (sped-up) clock; answers 'expected' queries."""
    from MetaTrader5.server import start_simulator
    from MetaTrader5.server.clock import ServerClock, ServerTimezone

    t0_real, t0_ms = time.time(), int(time.time() * 1000)

    def now_ms() -> int:
        return t0_ms + int((time.time() - t0_real) * 1000 * speed)

    zone = ServerTimezone(0, False) if utc else ServerTimezone()
    handle = start_simulator(clock=ServerClock(zone, now_ms))
    context = handle.server.context
    account = context.config.accounts[0]
    conn.send((handle.url, account.login, account.password,
               [s.symbol_id for s in context.catalog.symbols]))  # fmt: skip
    try:
        while True:
            message = conn.recv()
            if message[0] == "stop":
                break
            _, lo, hi = message

            async def count(lo: int = lo, hi: int = hi) -> int:
                return sum(len(context.market.ticks(s.name, lo, hi))
                           for s in context.catalog.symbols)  # fmt: skip

            conn.send(handle.call(count(), 60))
    finally:
        handle.stop(10)


class _ServerProcess:
    def __init__(self, speed: float, utc: bool) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(speed, utc, child), daemon=True)

    def __enter__(self) -> tuple[str, int, str, list[int], Any]:
        self.process.start()
        if not self.conn.poll(60):
            raise RuntimeError("the simulator process did not start")
        url, login, password, ids = self.conn.recv()
        return url, login, password, ids, self.conn

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(("stop",))
        self.process.join(20)
        if self.process.is_alive():
            self.process.kill()


async def _end_to_end(
    url: str, login: int, password: str, seconds: float
) -> tuple[int, float, float]:
    from MetaTrader5.client import WebTerminalClient

    count = [0]

    def per_tick(tick: Any) -> None:
        count[0] += 1

    async with WebTerminalClient.connect(url, login=login, password=password) as client:
        await client.subscribe(*client.market.names())
        await asyncio.sleep(1.0)
        with client.on_tick(per_tick):
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            n, wall = count[0], time.perf_counter() - wall
            cpu = time.process_time() - cpu
    return n, wall, cpu


def stream_rows(cfg: Config) -> list[Row]:
    """P3: per-tick and batch dispatch of pre-encoded pushes, plus loopback end to end."""
    from MetaTrader5._bridge import default_bridge
    from MetaTrader5._endpoint import embedded_simulator
    from MetaTrader5._session import WebSession  # noqa: F401 - the bridge is initialised
    from MetaTrader5.client import WebTerminalClient

    handle = embedded_simulator()
    account = handle.server.context.config.accounts[0]
    bridge = default_bridge()

    async def run() -> dict[str, list[float]]:
        async with WebTerminalClient.connect(handle.url, login=account.login,
                                             password=account.password) as client:  # fmt: skip
            return await _dispatch_runs(client, cfg, max(2, min(cfg.repeats, 5)))

    times = bridge.call(run(), 600)
    n = cfg.push_ticks
    floor = _rate(n, times["floor"])
    per_tick, batch = _rate(n, times["per_tick"]), _rate(n, times["batch"])
    note = f"{n:,} ticks in pushes of {_TICKS_PER_PUSH} ({_PUSH_SYMBOLS} symbols)"
    rows = [
        Row("P3 per-tick decode+dispatch", "ticks/s", per_tick, floor, "decrypt + frombuffer",
            floor.median / per_tick.median, ">= 500,000/s", per_tick.median >= 500_000,
            [note + "; ratio = how many times slower than the floor"]),
        Row("P3 batch decode+dispatch", "ticks/s", batch, floor, "decrypt + frombuffer",
            floor.median / batch.median, ">= 5,000,000/s", batch.median >= 5_000_000,
            [note + "; receive_data + decode_ticks + the client's lean official_ticks"]),
        Row("P3 client on_ticks(callback) API", "ticks/s", _rate(n, times["on_ticks"]), floor,
            "decrypt + frombuffer", floor.median / _rate(n, times["on_ticks"]).median,
            "(reference)", None,
            [note + "; Transport._dispatch: quote state, tick store, one array per symbol"]),
        Row("P3 batch, pushes of 1,000 ticks", "ticks/s", _rate(n, times["batch1000"]),
            floor, "decrypt + frombuffer (100/push)", None, "(reference)", None,
            ["the per-push cost dominates: the same path with 10x larger pushes"]),
    ]  # fmt: skip
    with _ServerProcess(P3_SPEED, utc=False) as (url, login, password, _ids, _conn):
        count, wall, cpu = asyncio.run(_end_to_end(url, login, password, cfg.stream_seconds))
    rate = count / wall
    rows.append(Row("P3 end-to-end per-tick over loopback", "ticks/s", stat_of([rate]), None,
                    "", None, "(reference)", None,
                    [f"simulator in another process at {P3_SPEED:.0f}x real time; "
                     f"{count:,} ticks in {wall:.1f} s; client process CPU {cpu / wall:.0%} "
                     f"-> {count / max(cpu, 1e-9):,.0f} ticks per CPU-second"]))  # fmt: skip
    return rows


# --- P6 ----------------------------------------------------------------------------------


async def _session(url: str, login: int, password: str, ids: list[int], index: int,
                   window: tuple[int, int]) -> tuple[int, Any]:  # fmt: skip
    from websockets.asyncio.client import connect

    from MetaTrader5.protocol import crypto as cr
    from MetaTrader5.protocol.messages.auth import client_id, encode_login_request
    from MetaTrader5.protocol.messages.session import encode_id_list
    from MetaTrader5.protocol.schemas.auth import LoginRequest

    lags: list[Any] = []
    count = 0
    async with connect(url, compression=None, max_size=None, open_timeout=60,
                       ping_interval=None) as ws:  # fmt: skip
        await ws.send(frames.encode_client_message(cr.INITIAL_KEY, 0, bytes(64)))
        key = bytes(
            frames.decode_server_message(cr.INITIAL_KEY, await ws.recv(decode=False)).body[66:]
        )
        login_request = LoginRequest(password=password, cid=client_id(f"bench{index}"),
                                     login=login)  # fmt: skip
        await ws.send(frames.encode_client_message(key, 28, encode_login_request(login_request)))
        await ws.send(frames.encode_client_message(key, 7, encode_id_list(ids)))
        lo, hi = window
        while True:
            left = hi / 1000 + 0.5 - time.time()
            if left <= 0:
                break
            try:
                message = await asyncio.wait_for(ws.recv(decode=False), left)
            except TimeoutError:
                break
            arrival = time.time() * 1000
            frame = frames.decode_server_message(key, message)
            if frame.command != Command.TICKS:
                continue
            rows = bulk.decode_ticks(frame.body)
            msc = rows["time"].astype(np.int64) * 1000 + rows["time_ms"]
            inside = msc[(msc >= lo) & (msc <= hi)]
            count += len(inside)
            if len(inside):
                lags.append(arrival - inside)
    return count, np.concatenate(lags) if lags else np.zeros(0)


def _clients(url: str, login: int, password: str, ids: list[int], n: int,
             window: tuple[int, int], out: Any) -> None:  # fmt: skip
    async def run() -> list[Any]:
        return list(await asyncio.gather(
            *(_session(url, login, password, ids, i, window) for i in range(n)),
            return_exceptions=True))  # fmt: skip

    results = asyncio.run(run())
    counts = [r[0] if isinstance(r, tuple) else 0 for r in results]
    lags = [r[1] for r in results if isinstance(r, tuple)]
    failed = sum(not isinstance(r, tuple) for r in results)
    all_lags = np.concatenate(lags) if lags else np.zeros(0)
    p99 = float(np.percentile(all_lags, 99)) if len(all_lags) else float("inf")
    p50 = float(np.percentile(all_lags, 50)) if len(all_lags) else float("inf")
    out.put({"counts": counts, "failed": failed, "p99": p99, "p50": p50})


def sessions_rows(cfg: Config) -> list[Row]:
    """P6: ramp concurrent streaming sessions until lag or misses cross the thresholds."""
    ctx = mp.get_context("spawn")
    steps: list[str] = []
    best = 0
    with _ServerProcess(1.0, utc=True) as (url, login, password, ids, conn):
        for n in cfg.sessions:
            setup = 2.0 + n / 60  # process start, connects and logins before the window
            lo = int((time.time() + setup) * 1000)
            hi = lo + int(cfg.stream_seconds * 1000)
            queue = ctx.Queue()
            process = ctx.Process(
                target=_clients, args=(url, login, password, ids, n, (lo, hi), queue)
            )
            process.start()
            result = queue.get(timeout=120 + setup + cfg.stream_seconds)
            process.join(30)
            conn.send(("expected", lo, hi))
            expected = conn.recv() * n
            got = sum(result["counts"])
            delivery = got / expected if expected else 0.0
            ok = result["p99"] <= LAG_LIMIT_MS and delivery >= DELIVERY_MIN
            steps.append(f"{n}: p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms, "
                         f"delivered {delivery:.1%}{', failed ' + str(result['failed']) if result['failed'] else ''}"  # noqa: E501
                         f"{'' if ok else ' (FAIL)'}")  # fmt: skip
            print(f"    P6 step {steps[-1]}", flush=True)
            if not ok:
                break
            best = n
    value = stat_of([float(best)])
    return [Row("P6 concurrent streaming sessions", "sessions", value, None, "", None,
                ">= 200", best >= 200 if not cfg.quick else None,
                [f"pass = p99 tick lag <= {LAG_LIMIT_MS:.0f} ms and >= {DELIVERY_MIN:.0%} "
                 "of ticks delivered; steps: " + "; ".join(steps)])]  # fmt: skip


# --- memory ------------------------------------------------------------------------------


def store_memory(symbols: int, ticks: int) -> dict[str, float]:
    """Child process body: fill a TickStore with ``symbols`` x ``ticks`` via its append path."""
    from MetaTrader5.client.tickstore import TickStore

    store = TickStore(max_ticks=max(ticks, 1), max_symbols=symbols)
    base = rss_mb()
    start = time.perf_counter()
    for i in range(ticks):
        msc = 1_700_000_000_000 + i
        for s in range(symbols):
            store.append(f"SYM{s:04d}", (msc // 1000, 1.1, 1.2, 0.0, 0, msc, 6, 0.0))
    elapsed = time.perf_counter() - start
    return {"symbols": float(len(store)), "ticks_per_symbol": float(ticks),
            "store_mb": store.nbytes / 1e6, "rss_before_mb": base, "rss_after_mb": rss_mb(),
            "peak_rss_mb": peak_rss_mb(),
            "append_us": elapsed / max(1, symbols * ticks) * 1e6}  # fmt: skip
