"""Where ``initialize()`` connects: a Web Terminal URL, ``MT5WEB_URL``, or the embedded simulator.

Resolution order (first match wins):

1. ``initialize(path)`` where ``path`` is a ``ws://`` or ``wss://`` URL;
2. the URL configured by the runner (``python -m MetaTrader5 run --url ...``);
3. the environment variable ``MT5WEB_URL``;
4. the **embedded simulator**: ``MetaTrader5.server`` is imported (only then), started once
   per process on an ephemeral ``127.0.0.1`` port and reused by every later ``initialize()``;
   its use is logged once at INFO on the ``MetaTrader5`` logger. ``MT5WEB_SIM_CONFIG`` may name
   a TOML configuration for it (accounts, seed, time zone).

A ``path`` that is not a URL - official scripts pass the Windows path of ``terminal64.exe`` -
is accepted and ignored (logged at DEBUG), so such scripts run unchanged.

Credentials: ``initialize(login=, password=, server=)`` win; else those configured by the
runner; else the environment variables ``MT5WEB_LOGIN``, ``MT5WEB_PASSWORD`` and
``MT5WEB_SERVER``, which are read ONCE (on first use) and then removed from ``os.environ`` so
that the script and its child processes never see them. On the embedded simulator, with no
login at all, its first (by default the demo) account is used. ``server`` is informational for a
Web Terminal (the URL already names the broker's server) and is not sent. Credentials are
never logged.

Request rate limit (:func:`rate_limit`): a broker's gateway gets the client's token bucket
(``DEFAULT_RATE_LIMIT``: 50 requests/s on average, bursts of 20), so that a loop of calls
cannot flood it; the embedded simulator gets none (it is our own server, and a limiter would
turn every loop of requests into 20 ms per call). ``MT5WEB_RATE_LIMIT`` overrides both, read at
each ``initialize()``: ``"RATE"`` or ``"RATE/BURST"`` (e.g. ``"10/5"``) sets the bucket, and
``"0"``, ``"off"`` or ``"none"`` removes it.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InitializeError

if TYPE_CHECKING:
    from .server.app import SimulatorHandle

__all__ = [
    "ENV_URL",
    "ENV_LOGIN",
    "ENV_PASSWORD",
    "ENV_SERVER",
    "ENV_SIM_CONFIG",
    "ENV_RATE_LIMIT",
    "DEFAULT_RATE_LIMIT",
    "rate_limit",
    "Endpoint",
    "configure",
    "resolve",
    "is_url",
    "embedded_simulator",
]

ENV_URL = "MT5WEB_URL"
ENV_LOGIN = "MT5WEB_LOGIN"
ENV_PASSWORD = "MT5WEB_PASSWORD"  # noqa: S105 - a variable name, not a secret
ENV_SERVER = "MT5WEB_SERVER"
ENV_SIM_CONFIG = "MT5WEB_SIM_CONFIG"
ENV_RATE_LIMIT = "MT5WEB_RATE_LIMIT"

#: (requests per second, burst) for a Web Terminal gateway when ``MT5WEB_RATE_LIMIT`` is unset.
DEFAULT_RATE_LIMIT: tuple[float, int] = (50.0, 20)

_log = logging.getLogger("MetaTrader5")
_URL_SCHEMES = ("ws://", "wss://")


@dataclass(frozen=True)
class Endpoint:
    """A resolved connection target; ``simulated`` marks the embedded simulator."""

    url: str
    login: int
    password: str = field(repr=False)
    server: str | None = None
    simulated: bool = False


@dataclass
class _Defaults:
    """What the runner configured plus what the environment held (read once)."""

    url: str | None = None
    login: int | None = None
    password: str | None = field(default=None, repr=False)
    server: str | None = None
    environment_read: bool = False


_defaults = _Defaults()
_lock = threading.Lock()
_simulator: list[SimulatorHandle] = []


def is_url(path: str | None) -> bool:
    """Whether ``path`` names a Web Terminal endpoint (``ws://`` or ``wss://``)."""
    return path is not None and path.strip().lower().startswith(_URL_SCHEMES)


def configure(
    *,
    url: str | None = None,
    login: int | None = None,
    password: str | None = None,
    server: str | None = None,
) -> None:
    """Set the process defaults used when ``initialize()`` names no endpoint or account.

    The runner calls this before it starts the script. ``None`` leaves a value unchanged.
    """
    with _lock:
        _read_environment_locked()
        if url is not None:
            _defaults.url = url
        if login is not None:
            _defaults.login = login
        if password is not None:
            _defaults.password = password
        if server is not None:
            _defaults.server = server


def _read_environment_locked() -> None:
    """Take the credentials out of the environment, once (module docstring)."""
    if _defaults.environment_read:
        return
    _defaults.environment_read = True
    login = os.environ.pop(ENV_LOGIN, None)
    password = os.environ.pop(ENV_PASSWORD, None)
    server = os.environ.pop(ENV_SERVER, None)
    if login is not None:
        try:
            _defaults.login = int(login.strip())
        except ValueError:
            _log.warning("ignoring %s: not an account number", ENV_LOGIN)
    if password is not None:
        _defaults.password = password
    if server is not None:
        _defaults.server = server


def resolve(
    path: str | None, login: int | None, password: str | None, server: str | None
) -> Endpoint:
    """Pick the endpoint and account for one ``initialize()`` call (module docstring).

    Raises:
        InitializeError: a Web Terminal endpoint was chosen but no account was given.
    """
    with _lock:
        _read_environment_locked()
        defaults = _Defaults(**vars(_defaults))
    if path is not None and not is_url(path):
        _log.debug("initialize(path=...) is not a ws:// URL; ignored (no local terminal)")
        path = None
    url = path or defaults.url or os.environ.get(ENV_URL) or None
    if login is None:
        login, password = defaults.login, password if password is not None else defaults.password
    server = server if server is not None else defaults.server
    if url is not None:
        if login is None:
            raise InitializeError(
                f"no account for {url}: pass login= and password= or set {ENV_LOGIN}"
            )
        return Endpoint(url.strip(), login, password or "", server)
    handle = embedded_simulator()
    if login is None:
        account = handle.server.context.config.accounts[0]
        login, password = account.login, account.password
    return Endpoint(handle.url, login, password or "", server, simulated=True)


def rate_limit(simulated: bool) -> tuple[float, int] | None:
    """The client's request bucket for an endpoint, or None for no limit (module docstring).

    Raises:
        InitializeError: ``MT5WEB_RATE_LIMIT`` is set but not ``RATE[/BURST]`` or ``off``.
    """
    text = os.environ.get(ENV_RATE_LIMIT, "").strip().lower()
    if not text:
        return None if simulated else DEFAULT_RATE_LIMIT
    if text in ("0", "off", "none"):
        return None
    rate_text, _, burst_text = text.partition("/")
    try:
        rate = float(rate_text)
        burst = int(burst_text) if burst_text else DEFAULT_RATE_LIMIT[1]
    except ValueError:
        raise InitializeError(f"{ENV_RATE_LIMIT}={text!r}: expected RATE[/BURST] or off") from None
    if rate <= 0:
        return None
    if burst < 1 or not math.isfinite(rate):
        raise InitializeError(f"{ENV_RATE_LIMIT}={text!r}: expected RATE[/BURST] or off")
    return rate, burst


def embedded_simulator() -> SimulatorHandle:
    """The in-process simulator, started on first use and reused (module docstring)."""
    with _lock:
        if _simulator:
            return _simulator[0]
        from .server import start_simulator  # noqa: PLC0415 - only when actually needed

        config: Any = None
        config_path = os.environ.get(ENV_SIM_CONFIG)
        if config_path:
            from .server.config import load_config  # noqa: PLC0415

            config = load_config(config_path)
        handle = start_simulator(config, host="127.0.0.1", port=0)
        _simulator.append(handle)
        atexit.register(_stop_simulator)
    _log.info("no ws:// URL given and %s not set: using the embedded simulator at %s",
              ENV_URL, handle.url)  # fmt: skip
    return handle


def _stop_simulator() -> None:
    with _lock:
        handles = list(_simulator)
        _simulator.clear()
    for handle in handles:
        handle.stop(timeout=2.0)
