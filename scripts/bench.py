"""End-to-end benchmarks of mt5web against the physical floor, on the embedded simulator.

Prints one table: every figure is the median of repeated runs with min and max, next to its
floor measured in the same run, and the target of issue 8. Standard-library timing only; the
results and how to read them are in docs/benchmarks.rst.

    python scripts/bench.py                 # full run (a few minutes)
    python scripts/bench.py --quick         # small sizes, few repeats (CI smoke, ~30 s)
    python scripts/bench.py --only P1,P3    # some sections (P1 P1b P2 P3 P4 P5 P6 MEM)
    python scripts/bench.py --json out.json # also write the figures as JSON

Sections: P1 bars, P1b ticks, P2 order round trip, P3 tick stream, P4 bridge overhead,
P5 import time, P6 concurrent simulator sessions, MEM peak memory.
"""

# ruff: noqa: PLC0415, N813 - lazy imports keep child processes light; mt5 is the official alias

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_util import Config, Row, Stat, machine, stat_of

SECTIONS = ("P1", "P1b", "P2", "P3", "P4", "P5", "P6", "MEM")
_SCALE = {"ms": 1e3, "us": 1e6, "ticks/s": 1.0, "sessions": 1.0, "MB": 1.0}


def _fmt(stat: Stat | None, unit: str) -> str:
    if stat is None:
        return "-"
    k = _SCALE.get(unit, 1.0)
    if unit in ("ticks/s", "sessions", "MB"):
        return f"{stat.median * k:,.0f} [{stat.min * k:,.0f}..{stat.max * k:,.0f}]"
    return f"{stat.median * k:.1f} [{stat.min * k:.1f}..{stat.max * k:.1f}]"


def _print_table(rows: list[Row]) -> None:
    print()
    print(f"{'figure':<44} {'unit':<8} {'value: median [min..max]':<30} "
          f"{'floor: median [min..max]':<30} {'ratio':>8}  target")  # fmt: skip
    for r in rows:
        ratio = "-" if r.ratio is None else (
            f"+{r.ratio * 1e6:.1f}us" if r.unit == "us" and "overhead" in r.label
            else f"{r.ratio:.2f}x")  # fmt: skip
        verdict = "" if r.met is None else ("  met" if r.met else "  MISSED")
        print(f"{r.label:<44} {r.unit:<8} {_fmt(r.value, r.unit):<30} "
              f"{_fmt(r.floor, r.unit):<30} {ratio:>8}  {r.target}{verdict}")  # fmt: skip
        if r.floor_label:
            print(f"{'':<44} {'':<8} {'':<30} floor = {r.floor_label}")
        for note in r.notes:
            print(f"{'':<4}- {note}")


def _child(name: str, *args: str) -> dict[str, Any]:
    """Run ``bench.py --child name args`` in a fresh interpreter and return its JSON."""
    out = subprocess.run([sys.executable, __file__, "--child", name, *args], check=True,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def memory_rows(cfg: Config) -> list[Row]:
    """Peak RSS of P1 and of the tick store with ``cfg.store_symbols`` symbols."""
    p1 = _child("mem-p1", str(cfg.bars))
    store = _child("mem-store", str(cfg.store_symbols), str(cfg.store_ticks))
    return [
        Row(f"MEM P1 peak RSS ({p1['bars']:,.0f} bars)", "MB", stat_of([p1["peak_rss_mb"]]),
            stat_of([p1["rss_before_mb"]]), "RSS before the call", None, "(reported)", None,
            [f"result array {p1['result_mb']:.1f} MB; RSS after {p1['rss_after_mb']:.0f} MB; "
             "simulator and client in one process"]),
        Row(f"MEM tick store {store['symbols']:,.0f} symbols", "MB",
            stat_of([store["peak_rss_mb"]]), stat_of([store["rss_before_mb"]]),
            "RSS before filling", None, "(reported)", None,
            [f"{store['ticks_per_symbol']:,.0f} ticks/symbol, rings {store['store_mb']:.1f} MB, "
             f"TickStore.append {store['append_us']:.1f} us/tick"]),
    ]  # fmt: skip


def _run_child(name: str, args: list[str]) -> None:
    if name == "mem-p1":
        from _bench_api import p1_memory

        print(json.dumps(p1_memory(int(args[0]))))
    elif name == "mem-store":
        from _bench_stream import store_memory

        print(json.dumps(store_memory(int(args[0]), int(args[1]))))
    else:
        raise SystemExit(f"unknown child {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--only", default="", help="comma-separated sections: " +
                        " ".join(SECTIONS))  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _run_child(args.child[0], args.child[1:])
        return 0
    wanted = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {' '.join(SECTIONS)}")
    cfg = Config.make(args.quick)
    logging.basicConfig(level=logging.WARNING)
    info = machine()
    print(f"mt5web benchmarks ({'quick' if cfg.quick else 'full'}): {info['cpu']}, "
          f"{info['cores']} cores, load {info['loadavg']}, Python {info['python']}, "
          f"numpy {info['numpy']}, websockets {info['websockets']}, "
          f"cryptography {info['cryptography']}", flush=True)  # fmt: skip

    from _bench_api import bars_rows, bridge_rows, import_rows, order_rows, ticks_rows
    from _bench_stream import sessions_rows, stream_rows

    import MetaTrader5 as mt5

    needs_module = {"P1", "P1b", "P2", "P3", "P4"} & set(wanted)
    if needs_module and not mt5.initialize():
        print(f"initialize() failed: {mt5.last_error()}", file=sys.stderr)
        return 1
    runners: dict[str, Callable[[Config], list[Row]]] = {
        "P1": bars_rows, "P1b": ticks_rows, "P2": order_rows, "P4": bridge_rows,
        "P3": stream_rows, "P5": import_rows, "P6": sessions_rows, "MEM": memory_rows,
    }  # fmt: skip
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        for section in SECTIONS:
            if section not in wanted:
                continue
            t = time.perf_counter()
            print(f"  running {section} ...", flush=True)
            rows += runners[section](cfg)
            print(f"  {section} done in {time.perf_counter() - t:.1f} s", flush=True)
    finally:
        if needs_module:
            mt5.shutdown()
    _print_table(rows)
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\ntotal {time.perf_counter() - started:.0f} s; load average at the end "
          f"{info['loadavg_end']}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": info, "quick": cfg.quick, "rows": [r.as_dict() for r in rows]},
            indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
