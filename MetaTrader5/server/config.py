"""The simulator's configuration, loaded from a TOML file (``python -m MetaTrader5 sim --config``).

Example (every key optional except each account's ``login`` and ``password``)::

    state_file = "sim-state.json"     # accounts, positions and history survive restarts

    [server]
    host = "127.0.0.1"                # default
    port = 0                          # 0 = pick a free port
    seed = 1                          # price-path seed (same seed, same prices)
    timezone = "us-dst+2"             # or a fixed whole-hour offset "+3", or "utc"
    sessions = "always"               # or "realistic" (weekend closure, daily breaks)
    name = "mt5web-Simulator"
    company = "mt5web"

    [[account]]
    login = 7700123
    password = "secret"
    currency = "USD"
    leverage = 100
    margin_mode = "hedging"           # or "netting" / "exchange"
    balance = 100000
    # otp_secret = "..."; name = "..."; investor_password = "..."

    [limits]                          # protective limits; every key optional (limits.py)
    max_sessions = 1000
    requests_per_second = 1000
    login_failures_per_peer = 20
    idle_timeout = 60                 # seconds; 0 = never

    [[replay]]
    symbol = "EURUSD"
    file = "eurusd_m1.csv"            # relative to this file's folder
    kind = "bars"                     # or "ticks" (see replay.py for the formats)

Without any ``[[account]]`` the built-in demo account is used: login **5000001**, password
**mt5web-demo**, USD, 1:100, hedging, balance 100 000 (a demo account). Unknown keys, wrong
types and bad values raise :class:`ConfigError` naming the file, the table and the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from MetaTrader5.server.accounts import MARGIN_MODES, AccountConfig
from MetaTrader5.server.catalog import SESSION_MODES, Catalog, default_catalog
from MetaTrader5.server.clock import DEFAULT_TIMEZONE, ServerClock, ServerTimezone, parse_timezone
from MetaTrader5.server.feed import MarketData
from MetaTrader5.server.limits import Limits, parse_limits
from MetaTrader5.server.replay import REPLAY_KINDS, ReplaySeries, load_replay

__all__ = [
    "DEFAULT_ACCOUNT",
    "ConfigError",
    "ReplaySource",
    "SimulatorConfig",
    "load_config",
    "parse_config",
]

#: The demo account used when the configuration names none.
DEFAULT_ACCOUNT = AccountConfig(
    login=5000001, password="mt5web-demo", name="Demo Trader"  # noqa: S106 - documented demo
)

_TOP_KEYS = {"server", "account", "replay", "state_file", "limits"}
_SERVER_KEYS = {"host", "port", "seed", "timezone", "sessions", "name", "company", "state_file"}
_ACCOUNT_KEYS = {f.name for f in dataclasses.fields(AccountConfig)}
_REPLAY_KEYS = {"symbol", "file", "kind"}


class ConfigError(ValueError):
    """The configuration file is unreadable or invalid; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ReplaySource:
    """A ``[[replay]]`` entry: which file overrides which symbol's prices."""

    symbol: str
    file: Path
    kind: str


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Everything the simulator is configured with (defaults = the built-in demo server)."""

    accounts: tuple[AccountConfig, ...] = (DEFAULT_ACCOUNT,)
    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 1
    timezone: ServerTimezone = DEFAULT_TIMEZONE
    sessions: str = "always"
    name: str = "mt5web-Simulator"
    company: str = "mt5web"
    replays: tuple[ReplaySource, ...] = ()
    state_file: Path | None = None
    limits: Limits = field(default_factory=Limits)
    source: str = field(default="<defaults>", compare=False)

    def with_seed(self, seed: int) -> SimulatorConfig:
        """A copy with another price seed."""
        return dataclasses.replace(self, seed=seed)

    def build_catalog(self) -> Catalog:
        """The symbol catalogue with this configuration's sessions mode."""
        return default_catalog(self.sessions)

    def load_replays(self) -> list[ReplaySeries]:
        """Read every replay file.

        Raises:
            ReplayError: a malformed or unreadable file.
        """
        return [load_replay(r.file, r.kind, r.symbol) for r in self.replays]

    def build_market(self, clock: ServerClock, catalog: Catalog | None = None) -> MarketData:
        """The market data of this configuration (catalogue, seed, sessions, replays)."""
        return MarketData(
            catalog or self.build_catalog(),
            seed=self.seed,
            clock=clock,
            sessions_mode=self.sessions,
            replays=self.load_replays(),
        )


class _Table:
    """One TOML table with its name and file, for precise error messages."""

    def __init__(self, data: dict[str, Any], where: str, source: str) -> None:
        self.data, self.where, self.source = data, where, source

    def error(self, what: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where}: {what}")

    def check_keys(self, allowed: set[str], required: tuple[str, ...] = ()) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
        for key in required:
            if key not in self.data:
                raise self.error(f"the required key {key!r} is missing")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python, never a valid number here.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(
                {int: "an integer", float: "a number", str: "a string"}.get(k, k.__name__)
                for k in kinds
            )
            raise self.error(f"{key} must be {names}, got {value!r}")
        return value


def _table_list(data: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{source}: {key!r} must be an array of tables ([[{key}]])")
    return value


def _account(table: dict[str, Any], index: int, source: str) -> AccountConfig:
    t = _Table(table, f"[[account]] #{index}", source)
    t.check_keys(_ACCOUNT_KEYS, ("login", "password"))
    login = t.get("login", int, 0)
    password = t.get("password", str, "")
    if login <= 0 or login > 0xFFFF_FFFF_FFFF:
        raise t.error("login must be a positive account number")
    if not password:
        raise t.error("password must not be empty")
    currency = t.get("currency", str, "USD")
    if len(currency) != 3 or not currency.isalpha():
        raise t.error(f"currency must be a 3-letter code, got {currency!r}")
    leverage = t.get("leverage", int, 100)
    if leverage < 1:
        raise t.error("leverage must be >= 1")
    margin_mode = t.get("margin_mode", str, "hedging")
    if margin_mode not in MARGIN_MODES:
        raise t.error(f"margin_mode must be one of {', '.join(MARGIN_MODES)}, got {margin_mode!r}")
    balance = float(t.get("balance", (int, float), 100000.0))
    if balance < 0:
        raise t.error("balance must be >= 0")
    return AccountConfig(
        login=login,
        password=password,
        currency=currency.upper(),
        leverage=leverage,
        margin_mode=margin_mode,
        balance=balance,
        otp_secret=t.get("otp_secret", str, None),
        name=t.get("name", str, "Demo Trader"),
        investor_password=t.get("investor_password", str, None),
    )


def _replay(table: dict[str, Any], index: int, source: str, base: Path) -> ReplaySource:
    t = _Table(table, f"[[replay]] #{index}", source)
    t.check_keys(_REPLAY_KEYS, ("symbol", "file"))
    symbol = t.get("symbol", str, "")
    if symbol not in default_catalog():
        raise t.error(f"symbol {symbol!r} is not in the catalogue")
    kind = t.get("kind", str, "bars")
    if kind not in REPLAY_KINDS:
        raise t.error(f"kind must be 'bars' or 'ticks', got {kind!r}")
    file = Path(t.get("file", str, ""))
    return ReplaySource(symbol, base / file, kind)  # an absolute file replaces base


def parse_config(text: str, source: str = "<string>", base_dir: Path | None = None) -> (
    SimulatorConfig
):
    """Parse TOML ``text``; relative paths are resolved against ``base_dir`` (default cwd).

    Raises:
        ConfigError: invalid TOML, unknown key, wrong type or bad value.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    base = base_dir if base_dir is not None else Path.cwd()
    top = _Table(data, "top level", source)
    top.check_keys(_TOP_KEYS)
    server_data = data.get("server", {})
    if not isinstance(server_data, dict):
        raise top.error("'server' must be a table ([server])")
    server = _Table(server_data, "[server]", source)
    server.check_keys(_SERVER_KEYS)
    accounts = tuple(_account(t, i, source)
                     for i, t in enumerate(_table_list(data, "account", source), 1))
    logins = [a.login for a in accounts]
    duplicates = sorted({x for x in logins if logins.count(x) > 1})
    if duplicates:
        raise top.error(f"account login {duplicates[0]} is configured twice")
    replays = tuple(_replay(t, i, source, base)
                    for i, t in enumerate(_table_list(data, "replay", source), 1))
    port = server.get("port", int, 0)
    if not 0 <= port <= 65535:
        raise server.error(f"port must be 0..65535, got {port}")
    try:
        timezone = parse_timezone(server.get("timezone", str, DEFAULT_TIMEZONE.describe()))
    except ValueError as exc:
        raise server.error(f"timezone: {exc}") from None
    sessions = server.get("sessions", str, "always")
    if sessions not in SESSION_MODES:
        raise server.error(f"sessions must be 'always' or 'realistic', got {sessions!r}")
    if "state_file" in data and "state_file" in server.data:
        raise top.error("state_file is given twice (top level and [server])")
    state = server.get("state_file", str, top.get("state_file", str, None))
    state_path = None if state is None else base / state  # an absolute state replaces base
    limits_data = data.get("limits", {})
    if not isinstance(limits_data, dict):
        raise top.error("'limits' must be a table ([limits])")
    try:
        limits = parse_limits(limits_data)
    except ValueError as exc:
        raise ConfigError(f"{source}: [limits]: {exc}") from None
    return SimulatorConfig(
        accounts=accounts or (DEFAULT_ACCOUNT,),
        host=server.get("host", str, "127.0.0.1"),
        port=port,
        seed=server.get("seed", int, 1),
        timezone=timezone,
        sessions=sessions,
        name=server.get("name", str, "mt5web-Simulator"),
        company=server.get("company", str, "mt5web"),
        replays=replays,
        state_file=state_path,
        limits=limits,
        source=source,
    )


def load_config(path: str | Path) -> SimulatorConfig:
    """Load a TOML configuration file (relative paths inside it are relative to its folder).

    Raises:
        ConfigError: unreadable file or invalid content.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the configuration: {exc.strerror}") from None
    return parse_config(text, str(p), p.resolve().parent)
