"""Replay of CSV bars and ticks: parsing, errors with line numbers, override of the path."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pytest

from MetaTrader5 import constants as c
from MetaTrader5.server.catalog import default_catalog
from MetaTrader5.server.clock import DEFAULT_TIMEZONE, ServerClock
from MetaTrader5.server.feed import MarketData
from MetaTrader5.server.replay import ReplayError, ReplaySeries, load_replay

NOW_UTC_MS = calendar.timegm((2026, 5, 27, 12, 0, 0)) * 1000
T0 = calendar.timegm((2026, 5, 26, 10, 0, 0))  # server time of the first replayed minute


def market(*replays: ReplaySeries) -> MarketData:
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: NOW_UTC_MS)
    return MarketData(default_catalog(), 5, clock, "always", replays=replays)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "data.csv"
    p.write_text(text)
    return p


def test_bars_replay_overrides_the_path(tmp_path: Path) -> None:
    csv = write(tmp_path, "\n".join([
        "time,open,high,low,close,tick_volume,spread",
        f"{T0},1.10000,1.10050,1.09950,1.10020,40,12",
        f"{T0 + 60},1.10020,1.10020,1.10020,1.10020,1,0",
        "2026.05.26 10:03,1.10030,1.10060,1.10010,1.10040,1,9",  # 1 tick cannot draw this bar
    ]))
    series = load_replay(csv, "bars", "EURUSD")
    md = market(series)
    bars = md.bars("EURUSD", c.TIMEFRAME_M1, T0 - 120, T0 + 300)
    generated = market().bars("EURUSD", c.TIMEFRAME_M1, T0 - 120, T0 + 300)
    times = list(bars["time"])
    assert times == [T0 - 120, T0 - 60, T0, T0 + 60, T0 + 180, T0 + 240, T0 + 300]
    assert np.array_equal(bars[:2], generated[:2])  # before the file: the generated path
    assert np.array_equal(bars[-2:], generated[-2:])  # after it too
    assert tuple(bars[2])[1:7] == (1.1, 1.1005, 1.0995, 1.1002, 40, 12)
    assert tuple(bars[3])[1:7] == (1.1002, 1.1002, 1.1002, 1.1002, 1, 10)  # default spread
    assert bars["tick_volume"][4] == 4  # raised: open, high, low and close each need a tick
    ticks = md.ticks("EURUSD", T0 * 1000, (T0 + 240) * 1000 - 1)
    assert len(ticks) == 45
    first = ticks[:40]
    assert first["bid"][0] == 1.1 and first["bid"][-1] == 1.1002
    assert first["bid"].max() == 1.1005 and first["bid"].min() == 1.0995


def test_ticks_replay_is_served_verbatim(tmp_path: Path) -> None:
    ms = T0 * 1000
    csv = write(tmp_path, "\n".join([
        "time_msc;bid;ask",
        f"{ms + 100};1.20000;1.20010",
        f"{ms + 900};1.20005;1.20012",
        f"{ms + 61_000};1.19990;1.19991",
    ]))
    md = market(load_replay(csv, "ticks", "EURUSD"))
    ticks = md.ticks("EURUSD", ms, ms + 120_000)
    assert list(ticks["time_msc"]) == [ms + 100, ms + 900, ms + 61_000]
    assert list(ticks["ask"]) == [1.2001, 1.20012, 1.19991]
    bars = md.bars("EURUSD", c.TIMEFRAME_M1, T0, T0 + 60)
    assert tuple(bars[0])[1:7] == (1.2, 1.20005, 1.2, 1.20005, 2, 7)
    assert tuple(bars[1])[1:7] == (1.1999, 1.1999, 1.1999, 1.1999, 1, 1)
    assert md.quote("EURUSD", ms + 70_000) == (1.1999, 1.19991, ms + 61_000)


def test_tick_file_in_seconds_without_header(tmp_path: Path) -> None:
    csv = write(tmp_path, f"{T0}.25,1.1,1.1002,0,0\n{T0 + 1},1.1001,1.1003\n")
    series = load_replay(csv, "ticks", "EURUSD")
    assert list(series.ticks["time_msc"]) == [T0 * 1000 + 250, T0 * 1000 + 1000]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("bars", "time,open,high,low,close,tick_volume\n1780000020,1,1,1,1,1\n1780000080,1,1\n",
         ":3: expected 6 to 8 fields"),
        ("bars", "1780000020,1,1,1,x,1\n", ":1: close 'x' is not a number"),
        ("bars", "1780000020,1,1.5,1.2,1.1,3\n", ":1: high/low do not enclose"),
        ("bars", "1780000020,1,1,1,1,1\n1780000020,1,1,1,1,1\n", ":2: bar times must be strictly"),
        ("bars", "1780000021,1,1,1,1,1\n", ":1: bar time is not on a minute boundary"),
        ("bars", "1780000020,1,1,1,1,-1\n", ":1: tick_volume, spread"),
        ("bars", "when,open,high,low,close,tick_volume\n", ":1: unexpected header"),
        ("bars", "2026-13-01 00:00,1,1,1,1,1\n", ":1: time '2026-13-01 00:00'"),
        ("ticks", "1780000020000,1.1,1.0\n", ":1: need 0 < bid <= ask"),
        ("ticks", "1780000020000,1.1,1.2\n1780000010000,1.1,1.2\n", ":2: tick times must not"),
        ("ticks", "1780000020000,1.1\n", ":1: expected 3 to 5 fields"),
        ("ticks", "# only a comment\n", "has no data"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, kind: str, text: str,
                                       message: str) -> None:
    csv = write(tmp_path, text)
    with pytest.raises(ReplayError) as info:
        load_replay(csv, kind, "EURUSD")
    assert str(csv) in str(info.value)
    assert message in str(info.value)


def test_missing_file_and_bad_kind(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="cannot read"):
        load_replay(tmp_path / "nope.csv", "bars", "EURUSD")
    with pytest.raises(ReplayError, match="unknown replay kind"):
        load_replay(tmp_path / "nope.csv", "quotes", "EURUSD")


def test_replay_for_unknown_symbol_is_rejected(tmp_path: Path) -> None:
    series = load_replay(write(tmp_path, f"{T0},1,1,1,1,1\n"), "bars", "NOPE")
    with pytest.raises(ValueError, match="NOPE"):
        market(series)
