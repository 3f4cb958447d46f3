"""Every example runs unchanged with ``python -m MetaTrader5 run`` and prints what it claims.

Each example runs in its own interpreter against the embedded simulator (no ``MT5WEB_*``
endpoint variables), with a bound on its time. The notebook is executed with nbclient.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: Per example: its arguments (few rounds, so it ends in seconds) and lines it must print.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "moving_average.py": (
        ["2"],
        ["account 5000001 on mt5web-Simulator", "iteration 2/2", "open positions 0"],
    ),
    "history_report.py": (
        [],
        ["last 24 H1 bars of EURUSD", "order_send: 10009 Request executed", "close: True"],
    ),
    "grid_trailing.py": (
        ["2"],
        [
            "placed BUY STOP",
            "placed SELL STOP",
            "bought 0.01 EURUSD",
            "trailed #",
            "round 2/2",
            "removed the grid; open positions 0",
        ],
    ),
    "multi_account.py": (
        [],
        [
            "account 7100001 (Hedging Demo), hedging, 1:100",
            "account 7100002 (Netting Demo), netting, 1:30",
            "second: bought 0.2 EURUSD",
            "last_error: first (-1, 'Terminal: Call failed') second (1, 'Success')",
        ],
    ),
    "tick_stream.py": (["2"], ["server time is UTC+2", "ticks received: EURUSD"]),
}
TIME_LIMIT = 60  # seconds; each example takes a few


def _environment() -> dict[str, str]:
    """This environment without any endpoint or simulator setting: the default simulator."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MT5WEB_")}


def test_every_example_has_a_case() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_runs_on_the_simulator(name: str) -> None:
    arguments, expected = CASES[name]
    done = subprocess.run(
        [sys.executable, "-m", "MetaTrader5", "run", str(EXAMPLES / name), *arguments],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "against the embedded simulator" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for line in expected:
        assert line in done.stdout, (line, done.stdout)


def test_quickstart_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    for key in [k for k in os.environ if k.startswith("MT5WEB_")]:
        monkeypatch.delenv(key)
    notebook = nbformat.read(EXAMPLES / "quickstart.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=TIME_LIMIT, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    try:
        client.execute()
    except Exception as exc:
        if client.kc is None:  # the kernel never started: not the notebook's fault
            pytest.skip(f"nbclient could not start a python3 kernel: {exc!r}")
        raise
    outputs = [
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    text = "\n".join(outputs)
    assert "'login': 5000001" in text
    assert "server time = UTC + 2 h" in text
    assert "closed: True" in text
    assert not any(o.get("output_type") == "error" for c in notebook.cells
                   for o in c.get("outputs", []))  # fmt: skip
