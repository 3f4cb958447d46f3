"""P1, P1b, P2, P4 and P5 of ``scripts/bench.py``: the module API against its floors.

The module API runs exactly as a user runs it: ``MetaTrader5.initialize()`` with no argument
starts the embedded simulator in this process (its own thread and loop) and the client on the
bridge thread. Floors are measured in the same process, right after, on the same sizes:

* P1/P1b floor: the very bars/ticks the call returned, encoded into a response message with
  the protocol core (``bulk.encode_bars`` / ``extension.encode_tick_history`` + frame + AES),
  then decrypted and ``np.frombuffer``-ed; "floor + copy" adds one copy of the wire array into
  a fresh array of the official dtype (the least any decoder returning a new array does).
* P2 floor: the raw websockets echo of :mod:`_bench_net` with frames of the sizes one
  ``order_send`` actually exchanged (recorded on the live connection).
* P4: the same call awaited on the async client, on the bridge loop itself.
"""

# ruff: noqa: PLC0415, PLR0917, N813 - lazy imports keep child processes light; mt5 is the official alias

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from _bench_net import EchoServer, echo_round_trips
from _bench_util import Config, Row, Stat, stat_of, time_runs

import MetaTrader5 as mt5
from MetaTrader5._endpoint import DEFAULT_RATE_LIMIT
from MetaTrader5.protocol import Command, bulk, crypto, extension, frames
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE
from MetaTrader5.server.session import _FRAGMENT_SIZE

_T = TypeVar("_T")

__all__ = ["bars_rows", "ticks_rows", "order_rows", "bridge_rows", "import_rows", "SYMBOL"]

SYMBOL = "EURUSD"
_KEY = bytes(range(32))


def _ok(value: _T | None) -> _T:
    """A module call's result, or the module's ``last_error()`` raised."""
    if value is None:
        raise RuntimeError(f"module call failed: {mt5.last_error()}")
    return value


def _client() -> tuple[Any, Any]:
    """The async client and bridge behind the module's default terminal (bench only)."""
    from MetaTrader5.terminal import default_terminal

    session: Any = default_terminal()._session
    return session._client, session._bridge


def _floors(message: bytes, dtype: np.dtype[Any], offset: int, n: int, official: np.dtype[Any],
            repeats: int) -> tuple[Stat, Stat]:  # fmt: skip
    def floor() -> np.ndarray[Any, Any]:
        plain = crypto.decrypt(_KEY, frames.unpack_outer(message))
        return np.frombuffer(plain, dtype, count=n, offset=offset)

    def floor_copy() -> np.ndarray[Any, Any]:
        out = np.empty(n, official)
        out.view(np.uint8)[: n * dtype.itemsize] = floor().view(np.uint8)
        return out

    return time_runs(floor, repeats), time_runs(floor_copy, repeats)


def _bulk_row(label: str, call: Callable[[], Any], message: bytes, dtype: np.dtype[Any],
              offset: int, n: int, official: np.dtype[Any],
              cfg: Config) -> tuple[list[Row], Stat]:  # fmt: skip
    value = time_runs(call, cfg.repeats)
    floor, floor_copy = _floors(message, dtype, offset, n, official, cfg.repeats)
    mb = len(message) / 1e6
    rows = [
        Row(label, "ms", value, floor, "decrypt + frombuffer", value.median / floor.median,
            "<= 1.5x", value.median <= 1.5 * floor.median,
            [f"{n:,} records, {mb:.1f} MB response"]),
        Row(label + " vs floor+copy", "ms", value, floor_copy, "floor + 1 copy to official dtype",
            value.median / floor_copy.median, "(reference)", None),
    ]  # fmt: skip
    return rows, floor_copy


def _encrypt_time(size: int, cfg: Config) -> Stat:
    """AES-CBC encryption of ``size`` bytes into a preallocated buffer: what the server pays
    for any answer of that size (spec 1.3), with no copy around it."""
    plain = np.zeros(size - size % 16 + 16, np.uint8)
    out = np.empty(len(plain) + crypto.INTO_SLACK, np.uint8)
    return time_runs(lambda: crypto.encrypt_padded_into(_KEY, plain.data, out.data), cfg.repeats)


def _pipeline_rows(label: str, value: Stat, server: Callable[[], Any],
                   client: Callable[[], Any], message: bytes, floor_copy: Stat,
                   cfg: Config) -> list[Row]:  # fmt: skip
    """Where the time goes, and the least any implementation of this protocol pays.

    The breakdown times the simulator's real path (the encoded-history cache, then frame +
    AES into one buffer), the raw WebSocket transfer of the same number of bytes sent the
    way the simulator sends them, and the client's decrypt + decode + convert. The wire floor
    adds the parts no implementation can skip: the server's AES-CBC encryption (serial by
    construction), the raw transfer, and the in-process floor + one copy.
    """
    s, c = time_runs(server, cfg.repeats), time_runs(client, cfg.repeats)
    transfer = _transfer(message)
    encrypt = _encrypt_time(len(message), cfg)
    wire = encrypt.median + transfer.median + floor_copy.median
    wire_floor = Stat(wire, wire, wire, wire, 1)
    return [
        Row(label + " breakdown", "ms", s, None, "", None, "(diagnostic)", None,
            [f"server cache+frame+encrypt {s.median * 1e3:.1f} ms; raw websockets transfer "
             f"of the same message {transfer.median * 1e3:.1f} ms; client "
             f"decrypt+decode+convert {c.median * 1e3:.1f} ms"]),
        Row(label + " vs wire floor", "ms", value, wire_floor,
            "encrypt + raw transfer + floor+copy", value.median / wire, "(reference)", None,
            [f"AES-CBC encrypt {encrypt.median * 1e3:.1f} ms + transfer "
             f"{transfer.median * 1e3:.1f} ms + decrypt/frombuffer/copy "
             f"{floor_copy.median * 1e3:.1f} ms"]),
    ]  # fmt: skip


def _simulator() -> Any:
    from MetaTrader5._endpoint import embedded_simulator

    return embedded_simulator().server.context


def bars_rows(cfg: Config) -> list[Row]:
    """P1: ``copy_rates_range`` of ``cfg.bars`` M1 bars through the module API."""
    from MetaTrader5.server.handlers_market import MAX_BARS

    context = _simulator()
    spec = context.catalog.by_name(SYMBOL)
    bars = _ok(mt5.copy_rates_from_pos(SYMBOL, mt5.TIMEFRAME_M1, 1, cfg.bars))
    first, last = int(bars["time"][0]), int(bars["time"][-1])

    def rates_call() -> Any:
        return _ok(mt5.copy_rates_range(SYMBOL, mt5.TIMEFRAME_M1, first, last))

    got = rates_call()
    n = len(got)
    body = bulk.encode_bars(got)
    message = frames.encode_server_message(_KEY, Command.RATES, 0, body)
    label = f"P1 copy_rates_range {n:,} M1 bars"
    rows, floor_copy = _bulk_row(label, rates_call, message, bulk.BAR_DTYPE, 5, n,
                                 RATES_DTYPE, cfg)  # fmt: skip

    def server() -> Any:
        cached = context.wire_cache.bars(spec, mt5.TIMEFRAME_M1, first, last, MAX_BARS)
        return frames.encode_server_buffer(_KEY, Command.RATES, 0, cached)

    def client() -> Any:
        return bulk.bars_to_rates(bulk.decode_bars(
            frames.decode_server_message(_KEY, message).body))  # fmt: skip

    rows += _pipeline_rows("P1", rows[0].value, server, client, message, floor_copy, cfg)
    return rows


def ticks_rows(cfg: Config) -> list[Row]:
    """P1b: ``copy_ticks_range`` of ~``cfg.ticks`` ticks (ranges are whole seconds)."""
    from MetaTrader5.server._wirecache import encode_tick_parts
    from MetaTrader5.server.handlers_market import MAX_TICKS

    context = _simulator()
    spec = context.catalog.by_name(SYMBOL)
    tick = _ok(mt5.symbol_info_tick(SYMBOL))
    probe = _ok(mt5.copy_ticks_from(SYMBOL, tick.time - 86_400 * max(2, cfg.ticks // 25_000),
                                cfg.ticks, mt5.COPY_TICKS_ALL))  # fmt: skip
    t0, t1 = int(probe["time"][0]), int(probe["time"][-1])

    def ticks_call() -> Any:
        return _ok(mt5.copy_ticks_range(SYMBOL, t0, t1, mt5.COPY_TICKS_ALL))

    got = ticks_call()
    n = len(got)
    message = frames.encode_server_message(_KEY, Command.EXTENSION_TICK_HISTORY, 0,
                                           extension.encode_tick_history(got))  # fmt: skip
    label = f"P1b copy_ticks_range {n:,} ticks"
    rows, floor_copy = _bulk_row(label, ticks_call, message, extension.EXT_TICK_DTYPE, 9, n,
                                 TICKS_DTYPE, cfg)  # fmt: skip

    def server() -> Any:
        parts = context.wire_cache.ticks(spec, t0 * 1000, t1 * 1000 + 999, MAX_TICKS)
        return frames.encode_server_buffer(_KEY, Command.EXTENSION_TICK_HISTORY, 0,
                                           encode_tick_parts(parts))  # fmt: skip

    def client() -> Any:
        return extension.ext_ticks_to_official(extension.decode_tick_history(
            frames.decode_server_message(_KEY, message).body))  # fmt: skip

    rows += _pipeline_rows("P1b", rows[0].value, server, client, message, floor_copy, cfg)
    return rows


def _transfer(message: bytes) -> Stat:
    """Raw websockets: 16-byte request out, ``len(message)`` bytes back as one message,
    fragmented as the simulator fragments it."""
    with EchoServer(fragment=_FRAGMENT_SIZE) as echo:
        return stat_of(echo_round_trips(echo.url, 16, [len(message)], 5))


def _record_sizes(client: Any, bridge: Any, send: Callable[[], Any]) -> tuple[int, list[int]]:
    """Sizes of the frames one ``send()`` exchanged: (request, [replies up to push 19])."""
    transport = client._transport
    connection = transport.connection
    ws = transport._ws
    sent: list[int] = []
    received: list[tuple[int, list[int]]] = []
    original_send, original_receive = ws.send, connection.receive_data

    async def record_send(message: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(len(message))
        return await original_send(message, *args, **kwargs)

    def record_receive(message: Any) -> Any:
        events = original_receive(message)
        received.append((len(message), [getattr(e, "command", -1) for e in events]))
        return events

    def patch(on: bool) -> None:
        ws.send = record_send if on else original_send
        connection.receive_data = record_receive if on else original_receive

    bridge.loop().call_soon_threadsafe(patch, True)
    time.sleep(0.05)
    send()
    bridge.loop().call_soon_threadsafe(patch, False)
    time.sleep(0.05)
    replies: list[int] = []
    for size, commands in received:
        if Command.TICKS in commands or Command.PING in commands:
            continue  # the live feed and the heartbeat are not part of the round trip
        replies.append(size)
        if Command.TRADE_RESULT in commands:
            break
    return (max(sent) if sent else 64), (replies or [64, 128])


def order_rows(cfg: Config) -> list[Row]:
    """P2: ``order_send`` market order round trip vs the raw websockets echo."""
    client, bridge = _client()
    mt5.symbol_select(SYMBOL, True)

    def deal(kind: int, position: int = 0) -> Any:
        tick = _ok(mt5.symbol_info_tick(SYMBOL))
        request = {"action": mt5.TRADE_ACTION_DEAL, "symbol": SYMBOL, "volume": 0.01,
                   "type": kind, "deviation": 50, "type_filling": mt5.ORDER_FILLING_IOC,
                   "price": tick.ask if kind == mt5.ORDER_TYPE_BUY else tick.bid}  # fmt: skip
        if position:
            request["position"] = position
        start = time.perf_counter()
        result = mt5.order_send(request)
        return time.perf_counter() - start, result

    # The first order of a symbol also fetches its full description (a ~3 KB answer); the
    # frames are recorded on a later one, as every timed send exchanges them.
    deal(mt5.ORDER_TYPE_BUY)
    request_size, reply_sizes = _record_sizes(client, bridge,
                                              lambda: deal(mt5.ORDER_TYPE_BUY))  # fmt: skip

    def sends(n: int) -> tuple[list[float], int]:
        times: list[float] = []
        failed = 0
        for _ in range(n // 2):
            elapsed, opened = deal(mt5.ORDER_TYPE_BUY)
            times.append(elapsed)
            if opened is None or opened.retcode != mt5.TRADE_RETCODE_DONE:
                failed += 1
                continue
            elapsed, closed = deal(mt5.ORDER_TYPE_SELL, opened.order)
            times.append(elapsed)
            failed += closed is None or closed.retcode != mt5.TRADE_RETCODE_DONE
        return times, failed

    # A broker's gateway gets the client's token bucket (50 requests/s, burst 20), which
    # throttles any sustained loop of requests; the embedded simulator gets none. The stack is
    # measured as initialize() configured it, the broker default shown for reference.
    limiter = client.limiter
    saved = (limiter.rate, int(limiter.burst)) if limiter is not None else (None, 1)
    bridge.call(_set_limiter(client, *DEFAULT_RATE_LIMIT), 10)
    try:
        limited, _ = sends(max(40, cfg.round_trips // 10))
    finally:
        bridge.call(_set_limiter(client, *saved), 10)
    times, failed = sends(cfg.round_trips)
    value, throttled = stat_of(times), stat_of(limited)
    with EchoServer() as echo:
        floor = stat_of(echo_round_trips(echo.url, request_size, reply_sizes, len(times)))
    note = (f"{len(times)} sends ({failed} not DONE), limiter as configured "
            f"({'none' if saved[0] is None else saved}); echo: "
            f"{request_size} B out, {len(reply_sizes)} frame(s) back {reply_sizes} B; "
            f"p99 {value.p99 * 1e6:.0f} us vs echo p99 {floor.p99 * 1e6:.0f} us")  # fmt: skip
    return [
        Row("P2 order_send round trip", "us", value, floor, "raw websockets echo",
            value.median / floor.median, "<= 2x", value.median <= 2 * floor.median, [note]),
        Row("P2 order_send, default rate limiter", "us", throttled, floor,
            "raw websockets echo", throttled.median / floor.median, "(reference)", None,
            [f"{len(limited)} back-to-back sends with a broker's default bucket "
             f"{DEFAULT_RATE_LIMIT}; "
             f"p99 {throttled.p99 * 1e6:.0f} us"]),
    ]  # fmt: skip


async def _set_limiter(client: Any, rate: float | None, burst: int) -> None:
    client.set_rate_limit(rate, burst)


def bridge_rows(cfg: Config) -> list[Row]:
    """P4: a module call vs the same call awaited on the client (on the bridge loop)."""
    client, bridge = _client()
    rows = []
    for name in ("symbols_total", "positions_total"):
        module_fn = getattr(mt5, name)

        async def direct(name: str = name) -> list[float]:
            method = getattr(client, name)
            times = []
            for _ in range(cfg.bridge_calls):
                start = time.perf_counter()
                result = method()
                if hasattr(result, "__await__"):  # some client methods are plain
                    await result
                times.append(time.perf_counter() - start)
            return times

        def module(module_fn: Callable[[], Any] = module_fn) -> list[float]:
            times = []
            for _ in range(cfg.bridge_calls):
                start = time.perf_counter()
                module_fn()
                times.append(time.perf_counter() - start)
            return times

        module()  # warm caches (symbol list) before either side is timed
        floor = stat_of(bridge.call(direct(), 600))
        value = stat_of(module())
        added = value.median - floor.median
        rows.append(Row(f"P4 bridge overhead {name}()", "us", value, floor,
                        "await client." + name + "()", added, "<= 30 us added",
                        added <= 30e-6, [f"added {added * 1e6:.1f} us per call"]))  # fmt: skip
    rows.append(_hop_row(bridge, cfg))
    return rows


def _hop_row(bridge: Any, cfg: Config) -> Row:
    """Diagnostic: ``Bridge.call`` of an empty coroutine vs the bare cross-thread hop."""
    import threading

    async def noop() -> int:
        return 0

    loop = bridge.loop()
    calls, hops = [], []
    for _ in range(cfg.bridge_calls):
        start = time.perf_counter()
        bridge.call(noop(), 10)
        calls.append(time.perf_counter() - start)
        event = threading.Event()
        start = time.perf_counter()
        loop.call_soon_threadsafe(event.set)
        event.wait()
        hops.append(time.perf_counter() - start)
    value, floor = stat_of(calls), stat_of(hops)
    return Row("P4 Bridge.call(empty coroutine)", "us", value, floor,
               "call_soon_threadsafe(Event.set) + wait", None, "(diagnostic)", None,
               ["the thread hop every sync call pays, with and without asyncio's "
                "run_coroutine_threadsafe machinery"])  # fmt: skip


def _import_env() -> dict[str, str]:
    """The children's environment: bytecode caches on, as in any install.

    With ``PYTHONDONTWRITEBYTECODE`` set (common in CI and dev shells) a source checkout would
    compile every one of its modules in every child while numpy loads its installed ``.pyc``
    files: that measures the compiler, not the import. The caches go to a private
    ``PYTHONPYCACHEPREFIX`` so the checkout itself is not written to.
    """
    import os
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "mt5web-bench-pycache")
    return env


def _import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    # bytecode caches are written (as in any install), so only the first, untimed run compiles
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60, env=_import_env())  # fmt: skip
    return float(out.stdout.strip())


def import_rows(cfg: Config) -> list[Row]:
    """P5: ``import MetaTrader5`` vs ``import numpy`` in fresh interpreters (interleaved)."""
    ours, numpy_times = [], []
    _import_time("numpy")  # warm the OS page cache and the bytecode caches of both
    _import_time("MetaTrader5")
    for _ in range(cfg.import_runs):
        numpy_times.append(_import_time("numpy"))
        ours.append(_import_time("MetaTrader5"))
    value, floor = stat_of(ours), stat_of(numpy_times)
    ratio = value.median / floor.median
    return [Row("P5 import MetaTrader5", "ms", value, floor, "import numpy", ratio, "<= 1.2x",
                ratio <= 1.2, [f"{cfg.import_runs} fresh interpreters each"])]  # fmt: skip


def p1_memory(bars: int) -> dict[str, float]:
    """Child process body of the P1 memory figure (see ``bench.py --child``)."""
    from _bench_util import peak_rss_mb, rss_mb

    mt5.initialize()
    got = _ok(mt5.copy_rates_from_pos(SYMBOL, mt5.TIMEFRAME_M1, 1, bars))
    first, last = int(got["time"][0]), int(got["time"][-1])
    del got
    # one warm call so the simulator's own caches exist before the baseline is taken
    mt5.copy_rates_range(SYMBOL, mt5.TIMEFRAME_M1, first, last)
    base = rss_mb()
    rates = _ok(mt5.copy_rates_range(SYMBOL, mt5.TIMEFRAME_M1, first, last))
    after = rss_mb()
    mt5.shutdown()
    return {"bars": float(len(rates)), "result_mb": rates.nbytes / 1e6, "rss_before_mb": base,
            "rss_after_mb": after, "peak_rss_mb": peak_rss_mb()}  # fmt: skip
