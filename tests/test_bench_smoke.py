"""Smoke test of scripts/bench.py: the quick run finishes and prints every figure label.

No timing is asserted (figures belong to the benchmark, not to the test suite).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"

LABELS = (
    "P1 copy_rates_range",
    "P1b copy_ticks_range",
    "P2 order_send round trip",
    "P3 per-tick decode+dispatch",
    "P3 batch decode+dispatch",
    "P3 end-to-end per-tick over loopback",
    "P4 bridge overhead symbols_total()",
    "P5 import MetaTrader5",
    "P6 concurrent streaming sessions",
    "MEM P1 peak RSS",
    "MEM tick store",
)


@pytest.mark.timeout(90)
def test_quick_bench_prints_every_figure(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=80,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    missing = [label for label in LABELS if label not in result.stdout]
    assert not missing, f"labels not printed: {missing}\n{result.stdout[-3000:]}"
    assert out_json.read_text().count('"label"') >= len(LABELS)


def test_unknown_section_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--only", "P9"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown section" in result.stderr
