"""Replay of user-supplied CSV history, overriding the generated path of one symbol.

Two kinds of file (comma, semicolon or tab separated; an optional header line naming the
columns; times are *server* time, either epoch numbers or ``YYYY-MM-DD HH:MM[:SS[.fff]]``
with ``-`` or ``.`` between date parts):

* ``bars``: ``time,open,high,low,close,tick_volume[,spread,real_volume]``, one row per **M1**
  bar (time on a minute boundary, strictly increasing). Ticks inside each minute are drawn so
  that they reproduce the bar exactly; a bar whose ``tick_volume`` is too small to draw it
  (e.g. 1 tick but open != close) gets the smallest count that can (2 to 4).
* ``ticks``: ``time_msc,bid,ask[,last,volume]`` (or ``time`` in seconds, fractions allowed),
  non-decreasing times. Ticks are served as given and M1 bars are aggregated from them.

From the first to the last minute the file covers, the file is the only truth for the symbol
(minutes without rows have no bar); outside it the generated path continues unchanged.
Malformed files raise :class:`ReplayError` naming the file, the line and the problem.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import RATES_DTYPE, TICKS_DTYPE
from MetaTrader5.server.history import DAY, DayBars, aggregate

__all__ = ["REPLAY_KINDS", "ReplayError", "ReplaySeries", "load_replay", "overlay"]

REPLAY_KINDS = ("bars", "ticks")
_BAR_COLUMNS = ("time", "open", "high", "low", "close", "tick_volume", "spread", "real_volume")
_TICK_COLUMNS = ("time_msc", "bid", "ask", "last", "volume")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATETIME = re.compile(
    r"^(\d{4})[-.](\d{2})[-.](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$"
)
_TICK_FLAGS_BID_ASK = 2 | 4


class ReplayError(ValueError):
    """A replay file could not be read; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class ReplaySeries:
    """One loaded replay file: M1 bars (prices plain) or ticks, and the minutes it covers."""

    symbol: str
    kind: str
    source: str
    bars: npt.NDArray[np.void]  # RATES_DTYPE; for "ticks" files empty until m1_rates()
    ticks: npt.NDArray[np.void]  # TICKS_DTYPE; empty for "bars" files
    first_minute: int  # server seconds, minute-aligned
    last_minute: int

    def m1_rates(self, point: float) -> npt.NDArray[np.void]:
        """The M1 bars of the file; for tick files aggregated from the ticks (spread in points)."""
        if self.kind == "bars":
            return self.bars
        t = self.ticks
        rows = np.empty(len(t), RATES_DTYPE)
        for name in ("open", "high", "low", "close"):
            rows[name] = t["bid"]
        rows["time"] = t["time_msc"] // 60_000 * 60
        rows["tick_volume"] = 1
        rows["spread"] = np.rint((t["ask"] - t["bid"]) / point)
        rows["real_volume"] = t["volume"]
        return aggregate(rows, np.asarray(rows["time"], dtype=np.int64))


def _fail(source: str, line: int, what: str) -> ReplayError:
    return ReplayError(f"{source}:{line}: {what}")


def _number(text: str, source: str, line: int, column: str) -> float:
    if not _NUMBER.match(text):
        raise _fail(source, line, f"{column} {text!r} is not a number")
    return float(text)


def _time_seconds(text: str, source: str, line: int) -> float:
    if _NUMBER.match(text):
        return float(text)
    m = _DATETIME.match(text)
    if m is None:
        raise _fail(source, line, f"time {text!r} is neither epoch seconds nor a date-time")
    y, mo, d, hh, mm, ss, frac = m.groups()
    try:
        stamp = _dt.datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError as exc:
        raise _fail(source, line, f"time {text!r}: {exc}") from None
    return calendar.timegm(stamp.timetuple()) + (float("0." + frac) if frac else 0.0)


def _rows(path: Path, kind: str) -> tuple[list[tuple[int, list[str]]], bool, str]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReplayError(f"{source}: cannot read replay file: {exc.strerror}") from None
    lines = [(i, raw.strip()) for i, raw in enumerate(text.splitlines(), start=1)]
    lines = [(i, raw) for i, raw in lines if raw and not raw.startswith("#")]
    if not lines:
        raise ReplayError(f"{source}: replay file has no data")
    sep = next((s for s in ("\t", ";", ",") if s in lines[0][1]), ",")
    rows = [(i, [field.strip() for field in raw.split(sep)]) for i, raw in lines]
    header = rows[0][1]
    seconds = True
    if not _NUMBER.match(header[0]) and not _DATETIME.match(header[0]):
        names = [h.lower().strip("<>") for h in header]
        allowed = _BAR_COLUMNS if kind == "bars" else (*_TICK_COLUMNS, "time")
        expected = list(_BAR_COLUMNS[: len(names)]) if kind == "bars" else None
        bad = [n for n in names if n not in allowed]
        if bad or (expected is not None and names != expected):
            raise _fail(
                source, rows[0][0],
                f"unexpected header {header!r}; expected {', '.join(allowed[:6])}...",
            )
        if kind == "ticks":
            seconds = names[0] == "time"
        rows = rows[1:]
    elif kind == "ticks":
        seconds = not (_NUMBER.match(header[0]) and float(header[0]) > 1e11)
    if not rows:
        raise ReplayError(f"{source}: replay file has a header but no data")
    return rows, seconds, source


def _load_bars(path: Path, symbol: str) -> ReplaySeries:
    rows, _, source = _rows(path, "bars")
    out = np.zeros(len(rows), RATES_DTYPE)
    previous = -1
    for k, (line, f) in enumerate(rows):
        if not 6 <= len(f) <= 8:
            raise _fail(source, line, f"expected 6 to 8 fields (time,open,high,low,close,"
                        f"tick_volume[,spread,real_volume]), got {len(f)}")
        t = _time_seconds(f[0], source, line)
        if t != int(t) or int(t) % 60:
            raise _fail(source, line, "bar time is not on a minute boundary (M1 bars expected)")
        if t <= previous:
            raise _fail(source, line, "bar times must be strictly increasing")
        previous = int(t)
        o, h, lo, cl = (_number(f[i], source, line, _BAR_COLUMNS[i]) for i in range(1, 5))
        if min(o, h, lo, cl) <= 0:
            raise _fail(source, line, "prices must be positive")
        if h < max(o, cl) or lo > min(o, cl):
            raise _fail(source, line, "high/low do not enclose open and close")
        extra = [_number(f[i], source, line, _BAR_COLUMNS[i]) for i in range(5, len(f))]
        if any(v < 0 or v != int(v) for v in extra):
            raise _fail(source, line, "tick_volume, spread and real_volume must be whole >= 0")
        out[k] = (int(t), o, h, lo, cl, int(extra[0]),
                  int(extra[1]) if len(extra) > 1 else 0, int(extra[2]) if len(extra) > 2 else 0)
    times = out["time"]
    return ReplaySeries(symbol, "bars", source, out, np.empty(0, TICKS_DTYPE),
                        int(times[0]), int(times[-1]))


def _load_ticks(path: Path, symbol: str) -> ReplaySeries:
    rows, seconds, source = _rows(path, "ticks")
    out = np.zeros(len(rows), TICKS_DTYPE)
    previous = -1
    for k, (line, f) in enumerate(rows):
        if not 3 <= len(f) <= 5:
            raise _fail(source, line, f"expected 3 to 5 fields (time_msc,bid,ask[,last,volume]),"
                        f" got {len(f)}")
        t = _time_seconds(f[0], source, line)
        msc = round(t * 1000) if seconds else round(t)
        if msc < previous:
            raise _fail(source, line, "tick times must not decrease")
        previous = msc
        bid, ask = (_number(f[i], source, line, _TICK_COLUMNS[i]) for i in (1, 2))
        if bid <= 0 or ask < bid:
            raise _fail(source, line, "need 0 < bid <= ask")
        last = _number(f[3], source, line, "last") if len(f) > 3 else 0.0
        volume = _number(f[4], source, line, "volume") if len(f) > 4 else 0.0
        if last < 0 or volume < 0:
            raise _fail(source, line, "last and volume must be >= 0")
        flags = _TICK_FLAGS_BID_ASK | (8 if last else 0) | (16 if volume else 0)
        out[k] = (msc // 1000, bid, ask, last, int(volume), msc, flags, volume)
    first, last_t = int(out["time_msc"][0]), int(out["time_msc"][-1])
    return ReplaySeries(symbol, "ticks", source, np.empty(0, RATES_DTYPE), out,
                        first // 60_000 * 60, last_t // 60_000 * 60)


def load_replay(path: str | Path, kind: str, symbol: str) -> ReplaySeries:
    """Read a replay file of ``kind`` (``"bars"`` or ``"ticks"``) for ``symbol``.

    Raises:
        ReplayError: unreadable or malformed file (message: ``file:line: problem``).
    """
    if kind not in REPLAY_KINDS:
        raise ReplayError(f"{path}: unknown replay kind {kind!r}; expected 'bars' or 'ticks'")
    p = Path(path)
    return _load_bars(p, symbol) if kind == "bars" else _load_ticks(p, symbol)


def overlay(bars: DayBars, series: ReplaySeries, m1: npt.NDArray[np.void], point: float,
            default_spread: int) -> DayBars:
    """Replace the minutes of ``bars`` covered by ``series`` (``m1`` = its M1 bars)."""
    day_start = bars.day * DAY
    lo = max(series.first_minute, day_start)
    hi = min(series.last_minute, day_start + DAY - 60)
    if lo > hi:
        return bars
    first, last = (lo - day_start) // 60, (hi - day_start) // 60 + 1
    count, o, h, low, cl, spread = (
        a.copy() for a in (bars.count, bars.open, bars.high, bars.low, bars.close, bars.spread)
    )
    synth = bars.synthetic.copy()
    count[first:last] = 0
    synth[first:last] = series.kind == "bars"
    times = np.asarray(m1["time"], dtype=np.int64)
    sel = (times >= day_start) & (times < day_start + DAY)
    rows = m1[sel]
    idx = (np.asarray(rows["time"], dtype=np.int64) - day_start) // 60
    for target, name in ((o, "open"), (h, "high"), (low, "low"), (cl, "close")):
        target[idx] = np.rint(rows[name] / point).astype(np.int64)
    n = np.asarray(rows["tick_volume"], dtype=np.int64)
    if series.kind == "bars":
        top = np.maximum(o[idx], cl[idx])
        bottom = np.minimum(o[idx], cl[idx])
        flat = (h[idx] == low[idx])
        needed = np.where(flat, 1, 2 + (h[idx] > top) + (low[idx] < bottom))
        n = np.maximum(n, needed)
    count[idx] = n
    given = np.asarray(rows["spread"], dtype=np.int64)
    # Tick files: the minimal quoted spread, even 0; bar files without a spread: the default.
    spread[idx] = given if series.kind == "ticks" else np.where(given > 0, given, default_spread)
    return DayBars(bars.day, count, o, h, low, cl, spread, synth)
