"""Draw the documentation's pictures (needs the ``charts`` extra: ``pip install -e '.[charts]'``).

* ``docs/_static/strategy_trades.png``: runs examples/moving_average.py on the embedded
  simulator, then draws the last two hours of EURUSD M1 candles with the strategy's two
  moving averages, the crossovers its rule reacts to, and the deals the run made.
* ``docs/_static/benchmark_ratios.png`` (when a ``scripts/bench.py --json`` file is given or
  ``docs/_static/benchmarks.json`` exists): every benchmark with a target, as how many times
  slower than its floor it is, coloured by whether the target is met.

Usage::

    python scripts/make_charts.py [--iterations N] [--bench-json FILE]

matplotlib is imported here only; the package never imports it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import runpy
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "docs" / "_static"
EXAMPLE = ROOT / "examples" / "moving_average.py"
BARS = 120


def _plt() -> Any:
    try:
        import matplotlib  # noqa: PLC0415 - optional dependency, this script only

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        raise SystemExit("matplotlib is missing: pip install -e '.[charts]'") from None
    return plt


def run_strategy(iterations: int) -> dict[str, Any]:
    """Run the example unchanged (as the runner would); return its settings (module globals)."""
    saved = sys.argv[:]
    sys.argv = [str(EXAMPLE), str(iterations)]
    try:
        settings = runpy.run_path(str(EXAMPLE), run_name="settings")  # definitions only
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        sys.argv = saved
    return settings


def strategy_chart(iterations: int) -> Path:
    import MetaTrader5 as mt5  # noqa: N813, PLC0415 - the simulator starts on demand

    plt = _plt()
    settings = run_strategy(iterations)
    fast_n, slow_n, symbol = settings["FAST"], settings["SLOW"], settings["SYMBOL"]
    if not mt5.initialize():  # the same in-process simulator and demo account
        raise SystemExit(f"initialize() failed: {mt5.last_error()}")
    rates = mt5.copy_rates_from_pos(symbol, settings["TIMEFRAME"], 0, BARS + slow_n)
    if rates is None:
        raise SystemExit(f"copy_rates_from_pos() failed: {mt5.last_error()}")
    now = int(rates["time"][-1]) + 60
    deals = tuple(
        d for d in mt5.history_deals_get(now - 86_400, now + 3_600) or ()
        if d.symbol == symbol
    )  # fmt: skip
    offset = mt5.server_time_offset() or 0
    mt5.shutdown()

    closes = rates["close"].astype(float)
    fast = np.convolve(closes, np.ones(fast_n) / fast_n, "valid")[-BARS:]
    slow = np.convolve(closes, np.ones(slow_n) / slow_n, "valid")[-BARS:]
    bars = rates[-BARS:]
    times = [dt.datetime.fromtimestamp(int(t), dt.UTC).replace(tzinfo=None) for t in bars["time"]]
    x = np.arange(len(bars))

    fig, ax = plt.subplots(figsize=(11, 4.8), dpi=110)
    up = bars["close"] >= bars["open"]
    ax.vlines(x, bars["low"], bars["high"], color="#555555", linewidth=0.7, zorder=1)
    for mask, colour in ((up, "#2e9e6a"), (~up, "#d0473d")):
        bottom = np.minimum(bars["open"], bars["close"])[mask]
        height = np.abs(bars["close"] - bars["open"])[mask]
        ax.bar(x[mask], np.maximum(height, 1e-6), 0.7, bottom=bottom, color=colour, zorder=2)
    ax.plot(x, fast, color="#1f5fbf", linewidth=1.3, label=f"fast MA ({fast_n})", zorder=3)
    ax.plot(x, slow, color="#e08a00", linewidth=1.3, label=f"slow MA ({slow_n})", zorder=3)
    side = np.sign(fast - slow)
    flips = np.nonzero(np.diff(side) != 0)[0] + 1
    for i in flips:
        marker, colour = ("^", "#1f5fbf") if side[i] > 0 else ("v", "#e08a00")
        ax.scatter(i, closes[-BARS:][i], s=70, marker=marker, facecolors="none",
                   edgecolors=colour, linewidths=1.4, zorder=4)  # fmt: skip
    first = int(bars["time"][0])
    for deal in deals:
        if deal.type not in (mt5.DEAL_TYPE_BUY, mt5.DEAL_TYPE_SELL) or deal.time < first:
            continue
        position = min((deal.time - first) / 60, len(bars) - 1)
        buy = deal.type == mt5.DEAL_TYPE_BUY
        ax.scatter(position, deal.price, s=110, marker="^" if buy else "v",
                   color="#0b7a3b" if buy else "#a3161a", edgecolors="black", zorder=5)  # fmt: skip
    ax.scatter([], [], marker="^", facecolors="none", edgecolors="#1f5fbf",
               label="crossover: go long / short")  # fmt: skip
    ax.scatter([], [], marker="^", color="#0b7a3b", edgecolors="black", label="the run's BUY deal")
    ax.scatter([], [], marker="v", color="#a3161a", edgecolors="black",
               label="the run's SELL deal")  # fmt: skip
    ticks = x[:: max(1, len(x) // 8)]
    ax.set_xticks(ticks, [times[i].strftime("%H:%M") for i in ticks])
    ax.set_xlim(-1, len(x) + 1)
    ax.set_xlabel(f"server time (UTC{offset / 3600:+.0f}), {times[-1]:%Y-%m-%d}")
    ax.set_ylabel(f"{symbol} price")
    ax.set_title(f"{symbol} M1 on the mt5web simulator: examples/moving_average.py "
                 f"({len(deals)} deals in this run)")  # fmt: skip
    ax.grid(alpha=0.25)
    ax.legend(loc="lower left", fontsize=8, ncol=2, framealpha=0.9)
    fig.tight_layout()
    target = STATIC / "strategy_trades.png"
    fig.savefig(target)
    plt.close(fig)
    return target


def benchmark_chart(source: Path) -> Path:
    plt = _plt()
    data = json.loads(source.read_text(encoding="utf-8"))
    rows = []
    for row in data["rows"]:
        if row.get("met") is None or not row.get("floor"):
            continue
        value, floor = row["value"]["median"], row["floor"]["median"]
        # Slowdown against the floor: time / floor time, or floor rate / rate for "/s" units.
        slowdown = floor / value if row["unit"].endswith("/s") else value / floor
        rows.append((row["label"], slowdown, row["target"], row["met"]))
    rows.sort(key=lambda r: r[1])
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.6), dpi=110)
    colours = ["#2e9e6a" if met else "#d0473d" for *_, met in rows]
    ax.barh([label for label, *_ in rows], [r[1] for r in rows], color=colours)
    for i, (_, slowdown, target, met) in enumerate(rows):
        verdict = "met" if met else "missed"
        ax.text(slowdown * 1.1, i, f"{slowdown:,.1f}x  (target {target}: {verdict})",
                va="center", fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(0.8, max(r[1] for r in rows) * 60)
    ax.set_xlabel("times slower than the floor measured in the same run (log scale)")
    machine = data.get("machine", {})
    where = f"{machine.get('cores', '?')}-core {machine.get('cpu', 'machine')}"
    ax.set_title(f"mt5web benchmarks vs their floors ({where}, "
                 f"Python {machine.get('python', '?')})")  # fmt: skip
    ax.grid(axis="x", alpha=0.25)
    fig.tight_layout()
    target = STATIC / "benchmark_ratios.png"
    fig.savefig(target)
    plt.close(fig)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=6, help="strategy iterations (1 s)")
    parser.add_argument("--bench-json", type=Path, default=STATIC / "benchmarks.json",
                        help="figures written by scripts/bench.py --json")  # fmt: skip
    args = parser.parse_args(argv)
    STATIC.mkdir(parents=True, exist_ok=True)
    print("wrote", strategy_chart(args.iterations))
    if args.bench_json.exists():
        print("wrote", benchmark_chart(args.bench_json))
    else:
        print(f"no benchmark figures at {args.bench_json}: skipped the benchmark chart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
