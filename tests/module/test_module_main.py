"""python -m MetaTrader5: --version and summary."""

from __future__ import annotations

import subprocess
import sys

import pytest

from MetaTrader5.__main__ import SUBCOMMANDS, main


def test_version_prints_ours_and_the_official(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("mt5web ")
    assert "MetaTrader5 5.0.6231" in out


def test_summary_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary"]) == 0
    lines = dict(line.split(": ") for line in capsys.readouterr().out.splitlines())
    assert lines == {
        "functions": "32",
        "helpers": "3",
        "types": "11",
        "dtypes": "2",
        "constants": "223",
        "error_codes": "15",
    }


def test_no_subcommand_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "summary" in capsys.readouterr().out
    assert "summary" in SUBCOMMANDS


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "MetaTrader5", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "5.0.6231" in done.stdout
