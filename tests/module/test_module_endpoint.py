"""Endpoint resolution: URL path, MT5WEB_URL, environment credentials, embedded simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5 import _endpoint
from MetaTrader5.errors import InitializeError
from MetaTrader5.terminal import Terminal


@pytest.fixture
def clean_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh process defaults, and no endpoint variables from the outer environment."""
    monkeypatch.setattr(_endpoint, "_defaults", _endpoint._Defaults())
    for name in (_endpoint.ENV_URL, _endpoint.ENV_LOGIN, _endpoint.ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(_endpoint.ENV_SERVER, raising=False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("ws://127.0.0.1:1/terminal", True),
        ("WSS://mt5.example.com/terminal", True),
        (r"C:\Program Files\MetaTrader 5\terminal64.exe", False),
        ("http://example.com", False),
        (None, False),
    ],
)
def test_is_url(path: str | None, expected: bool) -> None:
    assert _endpoint.is_url(path) is expected


@pytest.mark.usefixtures("clean_defaults")
def test_url_path_wins_and_needs_an_account() -> None:
    endpoint = _endpoint.resolve("ws://10.0.0.1:5/terminal", 7, "pw", "Broker-Demo")
    assert (endpoint.url, endpoint.login, endpoint.server) == (
        "ws://10.0.0.1:5/terminal",
        7,
        "Broker-Demo",
    )
    assert not endpoint.simulated
    assert "pw" not in repr(endpoint)
    with pytest.raises(InitializeError, match="no account"):
        _endpoint.resolve("ws://10.0.0.1:5/terminal", None, None, None)


@pytest.mark.usefixtures("clean_defaults")
def test_initialize_without_account_on_a_url_fails_with_10003() -> None:
    term = Terminal()
    assert term.initialize("ws://127.0.0.1:9/terminal") is False
    code, text = term.last_error()
    assert code == -10003
    assert text.startswith("IPC initialize failed, no account for ws://127.0.0.1:9/terminal")


@pytest.mark.usefixtures("clean_defaults")
def test_mt5web_url_and_credentials_from_the_environment(
    sim: Any, monkeypatch: pytest.MonkeyPatch, accounts: Any
) -> None:
    first_account, second_account = accounts
    monkeypatch.setenv(_endpoint.ENV_URL, sim.url)
    monkeypatch.setenv(_endpoint.ENV_LOGIN, str(second_account["login"]))
    monkeypatch.setenv(_endpoint.ENV_PASSWORD, str(second_account["password"]))
    with Terminal() as term:
        assert term.initialize(), term.last_error()
        info = term.account_info()
        assert info is not None and info.login == second_account["login"]
    # Read once and removed: the script (and its children) never see the secrets.
    assert _endpoint.ENV_PASSWORD not in os.environ
    assert _endpoint.ENV_LOGIN not in os.environ
    assert os.environ[_endpoint.ENV_URL] == sim.url  # not a secret; left in place
    # Explicit arguments still win over the environment's account.
    with Terminal() as term:
        assert term.initialize(login=first_account["login"], password=first_account["password"])
        info = term.account_info()
        assert info is not None and info.login == first_account["login"]


@pytest.mark.usefixtures("clean_defaults")
def test_configure_sets_the_runner_defaults(sim: Any, accounts: Any) -> None:
    _first_account, second_account = accounts
    _endpoint.configure(
        url=sim.url, login=second_account["login"], password=str(second_account["password"])
    )
    endpoint = _endpoint.resolve(None, None, None, None)
    assert (endpoint.url, endpoint.login, endpoint.simulated) == (
        sim.url,
        second_account["login"],
        False,
    )


@pytest.mark.usefixtures("clean_defaults")
def test_a_windows_path_is_ignored_and_the_embedded_simulator_is_used() -> None:
    with Terminal() as term:
        assert term.initialize(r"C:\Program Files\MetaTrader 5\terminal64.exe", timeout=10000)
        info = term.account_info()
        assert info is not None
        assert info.login == 5000001
        assert info.trade_mode == mt5.ACCOUNT_TRADE_MODE_DEMO
        assert "Simulator" in info.server
        first_url = _endpoint.embedded_simulator().url
    with Terminal() as again:
        assert again.initialize()
    assert _endpoint.embedded_simulator().url == first_url  # started once, reused


def test_embedded_simulator_is_imported_lazily_and_announced_once() -> None:
    code = (
        "import json, logging, sys\n"
        "records = []\n"
        "class H(logging.Handler):\n"
        "    def emit(self, r): records.append(r.getMessage())\n"
        "logging.getLogger('MetaTrader5').addHandler(H())\n"
        "logging.getLogger('MetaTrader5').setLevel(logging.INFO)\n"
        "import MetaTrader5 as mt5\n"
        "before = 'MetaTrader5.server' in sys.modules\n"
        "ok = [mt5.initialize(), mt5.shutdown(), mt5.initialize()]\n"
        "info = mt5.account_info()\n"
        "mt5.shutdown()\n"
        "print(json.dumps([before, ok, info.server,\n"
        "    sum('embedded simulator' in m for m in records)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MT5WEB_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    before, ok, server, announcements = json.loads(done.stdout.splitlines()[-1])
    assert before is False
    assert ok == [True, True, True]
    assert "Simulator" in server
    assert announcements == 1


def test_rate_limit_none_on_the_simulator_bucket_on_a_broker_env_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from MetaTrader5._endpoint import DEFAULT_RATE_LIMIT, ENV_RATE_LIMIT, rate_limit
    from MetaTrader5.errors import InitializeError

    monkeypatch.delenv(ENV_RATE_LIMIT, raising=False)
    assert rate_limit(simulated=True) is None
    assert rate_limit(simulated=False) == DEFAULT_RATE_LIMIT
    monkeypatch.setenv(ENV_RATE_LIMIT, "10/5")
    assert rate_limit(simulated=True) == (10.0, 5)
    monkeypatch.setenv(ENV_RATE_LIMIT, "7")
    assert rate_limit(simulated=False) == (7.0, DEFAULT_RATE_LIMIT[1])
    monkeypatch.setenv(ENV_RATE_LIMIT, "off")
    assert rate_limit(simulated=False) is None
    monkeypatch.setenv(ENV_RATE_LIMIT, "fast")
    with pytest.raises(InitializeError):
        rate_limit(simulated=False)
