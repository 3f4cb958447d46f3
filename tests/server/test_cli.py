"""``python -m MetaTrader5.server.cli``: URL on the first line, clean exit on SIGINT/SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from simwire import WireClient

from MetaTrader5.server.cli import build_parser, main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _start(*args: str, module: tuple[str, ...] = ("MetaTrader5.server.cli",)) -> (
    subprocess.Popen[str]
):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", *module, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _stop(process: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_url_first_line_serves_and_exits_cleanly(signum: int, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process = _start("--seed", "3", "--state", str(state))
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/terminal")
        wire = WireClient(url)
        try:
            assert wire.login().code == 0
            assert wire.request(51).code == 0
        finally:
            wire.close()
    finally:
        code, err = _stop(process, signum)
    assert code == 0, err
    assert "Traceback" not in err
    assert state.exists()  # saved on shutdown


def test_package_entry_point_runs_the_simulator() -> None:
    process = _start("--seed", "5", module=("MetaTrader5", "sim"))
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:")
        wire = WireClient(url)
        try:
            assert wire.login().code == 0
        finally:
            wire.close()
    finally:
        code, err = _stop(process, signal.SIGINT)
    assert code == 0, err


def test_bad_config_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "bad.toml"
    broken.write_text("[[account]]\nlogin = 'not a number'\n")
    assert main(["--config", str(broken)]) == 2
    assert "bad.toml" in capsys.readouterr().err


def test_parser_defaults() -> None:
    args = build_parser().parse_args([])
    assert args.host is None and args.port is None and args.state is None
    with pytest.raises(SystemExit):
        main(["--keyfile", "k.pem"])
