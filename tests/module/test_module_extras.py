"""Extras: the documented names on the face, callbacks, server time, pandas helpers."""

from __future__ import annotations

import datetime as dt
import queue
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5 import extras
from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE
from MetaTrader5.terminal import Terminal


def test_face_extras_are_exactly_the_documented_ones() -> None:
    for name in extras.FACE_EXTRAS:
        assert hasattr(mt5, name), name
        assert name not in mt5.__all__  # star-import stays official
    assert mt5.Terminal is Terminal


def test_extras_before_initialize_follow_the_sentinel_convention() -> None:
    term = Terminal()
    assert term.on_tick(print, "EURUSD") is None
    assert term.last_error() == (-10004, "No IPC connection")
    assert term.server_time_offset() is None
    assert term.server_time_to_utc(1_700_000_000) is None
    with pytest.raises(TypeError):
        term.on_tick("not callable")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        term.server_time_to_utc("1700000000")  # type: ignore[arg-type]


def test_on_tick_delivers_ticks_on_the_bridge_thread(terminal: Terminal) -> None:
    received: queue.Queue[Any] = queue.Queue()

    def callback(tick: Any) -> None:
        import threading

        received.put((threading.current_thread().name, tick))

    listener = terminal.on_tick(callback, "EURUSD")
    assert listener is not None, terminal.last_error()
    try:
        thread_name, tick = received.get(timeout=10)
    finally:
        listener.cancel()
    assert thread_name == "mt5web-bridge"
    assert tick.bid > 0 and tick.ask >= tick.bid


def test_server_time_offset_and_conversion(terminal: Terminal) -> None:
    offset = terminal.server_time_offset()
    assert isinstance(offset, int)
    assert offset % 1800 == 0 and abs(offset) <= 14 * 3600
    when = terminal.server_time_to_utc(1_700_000_000 + offset)
    assert when == dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)
    # The forming bar's open time is the server's wall clock, so it is offset from UTC.
    rates = terminal.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_M1, 0, 1)
    assert rates is not None and len(rates) == 1
    now_server = dt.datetime.now(dt.UTC).timestamp() + offset
    assert abs(int(rates["time"][0]) - now_server) < 120


def test_rates_and_records_frames() -> None:
    pd = pytest.importorskip("pandas")
    rates = np.zeros(3, dtype=RATES_DTYPE)
    rates["time"] = [1_700_000_000, 1_700_000_060, 1_700_000_120]
    rates["close"] = [1.1, 1.2, 1.3]
    frame = extras.rates_frame(rates, index=True)
    assert list(frame.columns) == [n for n in RATES_DTYPE.names if n != "time"]
    assert frame.index[0] == pd.Timestamp("2023-11-14 22:13:20")
    shifted = extras.rates_frame(rates, utc_offset=7200)
    assert shifted["time"][0] == pd.Timestamp("2023-11-14 20:13:20")
    empty = extras.rates_frame(None)
    assert list(empty.columns) == list(RATES_DTYPE.names) and len(empty) == 0
    ticks = np.zeros(1, dtype=TICKS_DTYPE)
    ticks["time_msc"] = 1_700_000_000_123
    assert extras.ticks_frame(ticks)["time_msc"][0] == pd.Timestamp("2023-11-14 22:13:20.123")
    position = mt5.TradePosition(tuple([5, 1_700_000_000] + [0] * 14 + ["EURUSD", "", ""]))
    frame = extras.records_frame([position])
    assert list(frame.columns) == list(position._asdict())
    assert frame["time"][0] == pd.Timestamp("2023-11-14 22:13:20")
    assert extras.records_frame(()).empty


def test_pandas_helpers_import_pandas_only_when_called() -> None:
    code = (
        "import sys, MetaTrader5.extras as x\n"
        "print('pandas' in sys.modules)\n"
        "x.rates_frame(None)\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "True"]
