"""Shared helpers of ``scripts/bench.py``: timing statistics, result rows, machine facts.

Every figure is a :class:`Stat` (median, min, max and, for latencies, p99 of repeated runs),
and every result row pairs a measured figure with the floor measured in the same run.
Standard-library timing only (``time.perf_counter``); nothing here asserts anything.
"""

# ruff: noqa: PLC0415 - lazy imports keep child processes light; mt5 is the official alias

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Config", "Row", "Stat", "machine", "peak_rss_mb", "rss_mb", "stat_of", "time_runs"]


@dataclass(frozen=True)
class Config:
    """Sizes and repeat counts of one run (``--quick`` shrinks every one of them)."""

    quick: bool
    bars: int = 100_000
    ticks: int = 1_000_000
    repeats: int = 7
    round_trips: int = 2_000
    bridge_calls: int = 5_000
    import_runs: int = 9
    push_ticks: int = 300_000
    stream_seconds: float = 3.0
    sessions: tuple[int, ...] = (25, 50, 100, 200, 300, 400, 600)
    store_symbols: int = 1_000
    store_ticks: int = 1_000

    @classmethod
    def make(cls, quick: bool) -> Config:
        if not quick:
            return cls(quick=False)
        return cls(quick=True, bars=5_000, ticks=20_000, repeats=3, round_trips=100,
                   bridge_calls=300, import_runs=3, push_ticks=20_000, stream_seconds=0.8,
                   sessions=(5, 10), store_symbols=1_000, store_ticks=20)  # fmt: skip


@dataclass(frozen=True)
class Stat:
    """Summary of repeated measurements (seconds, or any unit the caller chose)."""

    median: float
    min: float
    max: float
    p99: float
    n: int


def stat_of(values: list[float]) -> Stat:
    """Median, min, max and p99 (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(0.99 * len(ordered)) - 1))
    return Stat(statistics.median(ordered), ordered[0], ordered[-1], ordered[rank], len(ordered))


def time_runs(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> Stat:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return stat_of(times)


@dataclass
class Row:
    """One line of the result table.

    ``value`` and ``floor`` are in ``unit``; ``ratio`` is value/floor (or the added cost, for
    rows whose target is an absolute overhead); ``target`` is the goal as printed.
    """

    label: str
    unit: str
    value: Stat
    floor: Stat | None = None
    floor_label: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rss_mb() -> float:
    """Current resident set size of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB.

    Linux: ``VmHWM`` of /proc/self/status, which starts afresh at exec; ``ru_maxrss`` would
    carry the parent's peak over fork+exec (our children are started by the bench itself).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """CPU model, cores, load, OS and the versions the figures depend on."""
    import cryptography
    import numpy
    import websockets

    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "loadavg": [round(x, 2) for x in load],
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "websockets": getattr(websockets, "__version__", "?"),
        "cryptography": cryptography.__version__,
    }
