"""Streaming ticks with a callback (``MetaTrader5.on_tick``), instead of polling.

The official package has no push API: scripts poll ``symbol_info_tick()``. mt5web adds
``on_tick(callback, symbol)``, which calls ``callback(tick)`` for every tick the server
pushes. Run it with::

    python -m MetaTrader5 run examples/tick_stream.py [SECONDS]

Callbacks run on mt5web's background thread: keep them short and hand the work to your own
thread (here: a queue read by the main thread). Do not call the blocking module functions
from inside a callback.
"""

import queue
import sys
import time
from collections.abc import Callable

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs

SYMBOLS = ("EURUSD", "GBPUSD")
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
#: Quiet markets may send no tick for a while: keep listening this much longer for a first one.
GRACE_SECONDS = 30.0


def forward(symbol: str, ticks: "queue.Queue[tuple[str, mt5.Tick]]") -> Callable[[mt5.Tick], None]:
    """A callback that hands each tick of ``symbol`` to the main thread."""

    def on_tick(tick: mt5.Tick) -> None:
        ticks.put((symbol, tick))

    return on_tick


def main() -> int:
    if not mt5.initialize():
        print("initialize() failed:", mt5.last_error())
        return 1
    offset = mt5.server_time_offset() or 0
    print(f"server time is UTC{offset / 3600:+.0f}")
    ticks: queue.Queue[tuple[str, mt5.Tick]] = queue.Queue()
    listeners = []
    for symbol in SYMBOLS:
        listener = mt5.on_tick(forward(symbol, ticks), symbol)
        if listener is None:
            print("on_tick failed:", mt5.last_error())
            mt5.shutdown()
            return 1
        listeners.append(listener)
    counts = dict.fromkeys(SYMBOLS, 0)
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        received = sum(counts.values())
        if elapsed >= SECONDS + GRACE_SECONDS or (elapsed >= SECONDS and received):
            break
        try:
            symbol, tick = ticks.get(timeout=0.2)
        except queue.Empty:
            continue
        counts[symbol] += 1
        utc = mt5.server_time_to_utc(tick.time_msc / 1000)
        when = utc.strftime("%H:%M:%S.%f")[:-3] if utc else tick.time_msc
        print(f"{when} UTC  {symbol}  bid {tick.bid}  ask {tick.ask}")
    for listener in listeners:
        listener.cancel()
    print("ticks received:", ", ".join(f"{s} {n}" for s, n in counts.items()))
    mt5.shutdown()
    return 0 if sum(counts.values()) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
