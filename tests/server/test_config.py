"""Simulator configuration from TOML: accounts, server options, replays, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from MetaTrader5 import constants as c
from MetaTrader5.server.accounts import AccountConfig
from MetaTrader5.server.clock import DEFAULT_TIMEZONE, ServerClock, ServerTimezone
from MetaTrader5.server.config import (
    DEFAULT_ACCOUNT,
    ConfigError,
    SimulatorConfig,
    load_config,
    parse_config,
)

FULL = """
state_file = "state.json"

[server]
host = "0.0.0.0"
port = 8443
seed = 42
timezone = "+3"
sessions = "realistic"
name = "Test-Server"
company = "Test Co"

[[account]]
login = 7700123
password = "secret"
currency = "EUR"
leverage = 500
margin_mode = "netting"
balance = 2500.5
otp_secret = "JBSWY3DPEHPK3PXP"
name = "Alice"

[[account]]
login = 7700124
password = "other"
"""


def test_full_config(tmp_path: Path) -> None:
    cfg = parse_config(FULL, "sim.toml", tmp_path)
    assert (cfg.host, cfg.port, cfg.seed, cfg.sessions) == ("0.0.0.0", 8443, 42, "realistic")
    assert cfg.timezone == ServerTimezone(3, False)
    assert (cfg.name, cfg.company) == ("Test-Server", "Test Co")
    assert cfg.state_file == tmp_path / "state.json"
    assert cfg.accounts[0] == AccountConfig(
        login=7700123, password="secret", currency="EUR", leverage=500, margin_mode="netting",
        balance=2500.5, otp_secret="JBSWY3DPEHPK3PXP", name="Alice",
    )
    assert cfg.accounts[1] == AccountConfig(login=7700124, password="other")
    assert "secret" not in repr(cfg)


def test_defaults_and_the_demo_account() -> None:
    cfg = parse_config("")
    assert cfg == SimulatorConfig()
    assert cfg.accounts == (DEFAULT_ACCOUNT,)
    assert DEFAULT_ACCOUNT.login == 5000001 and DEFAULT_ACCOUNT.password == "mt5web-demo"
    assert (cfg.host, cfg.port, cfg.sessions) == ("127.0.0.1", 0, "always")
    assert cfg.timezone == DEFAULT_TIMEZONE and cfg.name == "mt5web-Simulator"
    assert cfg.state_file is None and cfg.replays == ()
    assert cfg.with_seed(9).seed == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\ncolour = 1\n", "[server]: unknown key 'colour'"),
        ("colour = 1\n", "top level: unknown key 'colour'"),
        ("[[account]]\nlogin = 1\npassword = 'x'\nlevrage = 5\n", "unknown key 'levrage'"),
        ("[[account]]\npassword = 'x'\n", "the required key 'login' is missing"),
        ("[[account]]\nlogin = '1'\npassword = 'x'\n", "login must be an integer"),
        ("[[account]]\nlogin = 1\npassword = 'x'\nmargin_mode = 'both'\n", "margin_mode must"),
        ("[[account]]\nlogin = 1\npassword = 'x'\nleverage = true\n", "leverage must be"),
        ("[[account]]\nlogin = 1\npassword = 'x'\n[[account]]\nlogin = 1\npassword = 'y'\n",
         "login 1 is configured twice"),
        ("[server]\ntimezone = '+2:30'\n", "timezone"),
        ("[server]\nsessions = 'weekdays'\n", "sessions must be"),
        ("[server]\nport = 70000\n", "port must be"),
        ("[[replay]]\nsymbol = 'NOPE'\nfile = 'x.csv'\n", "symbol 'NOPE' is not in the catalogue"),
        ("[[replay]]\nsymbol = 'EURUSD'\nfile = 'x.csv'\nkind = 'quotes'\n", "kind must be"),
        ("state_file = 'a'\n[server]\nstate_file = 'b'\n", "state_file is given twice"),
        ("[server\n", "invalid TOML"),
        ("server = 3\n", "'server' must be a table"),
    ],
)
def test_errors_name_the_file_and_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "my.toml")
    assert str(info.value).startswith("my.toml: ")
    assert message in str(info.value)


def test_load_config_and_replay_paths(tmp_path: Path) -> None:
    data = tmp_path / "eurusd.csv"
    data.write_text("1779789600,1.1,1.1,1.1,1.1,1\n")
    conf = tmp_path / "sim.toml"
    conf.write_text("[server]\nseed = 4\n[[replay]]\nsymbol = 'EURUSD'\nfile = 'eurusd.csv'\n")
    cfg = load_config(conf)
    assert cfg.source == str(conf)
    assert cfg.replays[0].file == tmp_path / "eurusd.csv" and cfg.replays[0].kind == "bars"
    clock = ServerClock(cfg.timezone, lambda: 1_779_900_000_000)
    market = cfg.build_market(clock)
    bars = market.bars("EURUSD", c.TIMEFRAME_M1, 1779789600, 1779789600)
    assert tuple(bars[0])[:5] == (1779789600, 1.1, 1.1, 1.1, 1.1)
    assert cfg.build_catalog().by_name("EURUSD") is not None


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
