"""``python -m MetaTrader5 run``: argument parsing, and unchanged scripts run end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from MetaTrader5.__main__ import SUBCOMMANDS, main
from MetaTrader5._runner import UsageError, parse_run_arguments

REPO = Path(__file__).resolve().parents[2]


def _run(*argv: str, cwd: Path = REPO, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MT5WEB_")}
    return subprocess.run(
        [sys.executable, "-m", "MetaTrader5", "run", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def test_runner_options_before_and_after_the_script() -> None:
    options = parse_run_arguments(
        ["--url", "ws://h:1/terminal", "s.py", "a", "--login=7", "b", "--password", "s3cret"]
    )
    assert (options.script, options.args) == ("s.py", ["a", "b"])
    assert (options.url, options.login, options.password) == ("ws://h:1/terminal", 7, "s3cret")
    assert "s3cret" not in repr(options)


def test_everything_after_a_double_dash_goes_to_the_script() -> None:
    options = parse_run_arguments(["s.py", "--", "--url", "x", "--login", "y"])
    assert options.args == ["--url", "x", "--login", "y"]
    assert options.url is None and options.login is None
    assert parse_run_arguments(["--", "s.py", "-v"]).args == ["-v"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "SCRIPT is missing"),
        (["--url"], "--url needs a value"),
        (["--url", "http://x", "s.py"], "ws://"),
        (["--login", "abc", "s.py"], "account number"),
        (["--verbose", "s.py"], "unknown option"),
    ],
)
def test_bad_runner_command_lines(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_run_arguments(argv)


def test_run_and_sim_are_registered_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert {"run", "sim", "summary"} <= set(SUBCOMMANDS)
    assert main(["run"]) == 2
    assert "SCRIPT is missing" in capsys.readouterr().err
    assert main(["run", "no/such/script.py"]) == 2
    assert "no such script" in capsys.readouterr().err


def test_script_sees_main_argv_exit_status_and_no_secrets(tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys
            import MetaTrader5 as mt5
            assert __name__ == "__main__"
            print("argv", sys.argv)
            print("secret", os.environ.get("MT5WEB_PASSWORD"))
            ok = mt5.initialize()
            info = mt5.account_info()
            print("account", ok, info.login, info.server)
            sys.exit(3)
            """
        )
    )
    env_password = {"MT5WEB_PASSWORD": "mt5web-demo", "MT5WEB_LOGIN": "5000001"}
    done = subprocess.run(
        [sys.executable, "-m", "MetaTrader5", "run", str(script), "x", "--", "--url", "y"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env_password},
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"argv {[str(script), 'x', '--url', 'y']}"
    assert lines[1] == "secret None"
    assert lines[2].startswith("account True 5000001 ")
    assert "Simulator" in lines[2]
    assert "embedded simulator" in done.stderr
    assert "mt5web-demo" not in done.stderr


def test_moving_average_example_runs_unchanged_on_the_simulator() -> None:
    done = _run("examples/moving_average.py", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "account 5000001 on " in out
    assert "iteration 2/2" in out
    assert "fast MA=" in out
    assert " BUY " in out or " SELL " in out
    assert "done: balance" in out and "open positions 0" in out


def test_readme_idiom_script_runs_via_the_runner(tmp_path: Path) -> None:
    script = tmp_path / "idiom.py"
    script.write_text(
        textwrap.dedent(
            """
            import pandas as pd
            import MetaTrader5 as mt5

            if not mt5.initialize():
                raise SystemExit(f"initialize() failed: {mt5.last_error()}")
            rates = mt5.copy_rates_from_pos("EURUSD", mt5.TIMEFRAME_M5, 0, 50)
            df = pd.DataFrame(rates)
            df["time"] = pd.to_datetime(df["time"], unit="s")
            print("bars", len(df), str(df["time"].dtype), list(df.columns))
            tick = mt5.symbol_info_tick("EURUSD")
            result = mt5.order_send({
                "action": mt5.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.1,
                "type": mt5.ORDER_TYPE_BUY, "price": tick.ask, "deviation": 10,
                "magic": 7, "comment": "idiom",
            })
            print("retcode", result.retcode, result.comment)
            positions = mt5.positions_get(symbol="EURUSD")
            frame = pd.DataFrame(list(positions), columns=positions[0]._asdict().keys())
            print("positions", len(frame), frame["comment"].tolist())
            mt5.shutdown()
            """
        )
    )
    done = _run(str(script))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bars 50 datetime64[")
    columns = ["time", "open", "high", "low", "close", "tick_volume", "spread", "real_volume"]
    assert lines[0].endswith(str(columns))
    assert lines[1] == "retcode 10009 Request executed"
    assert lines[2] == "positions 1 ['idiom']"


def test_history_report_example_runs_unchanged_on_the_simulator() -> None:
    done = _run("examples/history_report.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "order_send: 10009" in done.stdout
    assert "close: True" in done.stdout
    # The embedded simulator starts fresh: the deposit, the buy and the closing sell.
    assert "deals in the last day: 3" in done.stdout


def test_sim_subcommand_dispatches_to_the_simulator_cli() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "MetaTrader5", "sim", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/terminal"), url
    finally:
        process.terminate()
        process.wait(timeout=20)
