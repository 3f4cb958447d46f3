"""Write the results table of ``docs/benchmarks.rst`` from a ``scripts/bench.py --json`` file.

The documentation shows the figures of one run exactly as the script measured them; the
table is generated so that it cannot drift from the JSON it cites::

    python scripts/bench.py --json docs/_static/benchmarks.json
    python scripts/make_bench_table.py docs/_static/benchmarks.json > docs/benchmarks_table.inc

Rows are printed in the script's order; the notes the script prints under a row become the
row's last line, so what the page says comes from the measurement too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_SCALE = {"ms": 1e3, "us": 1e6, "ticks/s": 1.0, "sessions": 1.0, "MB": 1.0}


def _number(value: float, unit: str) -> str:
    scaled = value * _SCALE.get(unit, 1.0)
    if unit in ("ticks/s", "sessions", "MB"):
        return f"{scaled:,.0f}"
    return f"{scaled:,.1f}"


def _stat(stat: dict[str, float] | None, unit: str) -> str:
    if stat is None:
        return ""
    spread = f"[{_number(stat['min'], unit)}..{_number(stat['max'], unit)}]"
    return f"{_number(stat['median'], unit)} {unit} {spread}"


def _ratio(row: dict[str, Any]) -> str:
    ratio = row.get("ratio")
    if ratio is None:
        return ""
    if row["unit"] == "us" and "overhead" in row["label"]:
        return f"+{ratio * 1e6:.1f} us"
    if row["unit"] == "ticks/s":
        return f"{ratio:.1f}x slower"
    return f"{ratio:.2f}x"


def _target(row: dict[str, Any]) -> str:
    met = row.get("met")
    if met is None:
        return str(row["target"])
    return f"{row['target']}: **{'met' if met else 'missed'}**"


def _cell(text: str) -> str:
    # list-table cells: a leading "*" or "-" would start a nested list
    return text.replace("*", r"\*") if text and text[0] in "*-" else text


def table(data: dict[str, Any]) -> str:
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 30 22 22 10 16",
        "",
        "   * - Figure",
        "     - Value: median [min..max]",
        "     - Floor: median [min..max]",
        "     - Ratio",
        "     - Target",
    ]
    for row in data["rows"]:
        unit = row["unit"]
        floor = _stat(row.get("floor"), unit)
        if floor and row.get("floor_label"):
            floor += f"; {row['floor_label']}"
        lines.append(f"   * - {_cell(row['label'])}")
        for note in row.get("notes") or ():
            lines += ["", f"       {note}"]  # a paragraph of its own in the same cell
        cells = [_stat(row["value"], unit), floor, _ratio(row), _target(row)]
        lines.extend(f"     - {_cell(c)}" if c else "     -" for c in cells)
    machine = data["machine"]
    met = sum(1 for r in data["rows"] if r.get("met") is True)
    missed = sum(1 for r in data["rows"] if r.get("met") is False)
    lines += ["", f"**Targets in this run: {met} met, {missed} missed.** Machine: "
              f"{machine.get('cpu', '?')}, Python {machine.get('python', '?')}.", ""]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(table(json.loads(Path(args[0]).read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
