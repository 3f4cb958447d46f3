"""Passwords and OTPs never leak: logs, stderr, reprs, exceptions, last_error(), pickles.

One full session is run with every logger at DEBUG: wrong and right passwords through the
module API, failing calls, trading, then an OTP-protected account through the async client
(missing, wrong and right code), with tracebacks logged on purpose. Everything observable is
collected - every log record (message, arguments, formatted traceback), stderr and stdout, the
``repr``/``str`` of every object reachable from the Terminal and the client, every exception
text, every ``last_error()``, and ``pickle.dumps`` of every picklable reachable object - and
searched for the secrets (UTF-8 and the UTF-16-LE the wire uses).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pickle
import time
import weakref
from collections.abc import Iterator
from types import (
    CellType,
    CoroutineType,
    FrameType,
    FunctionType,
    GeneratorType,
    MethodType,
    ModuleType,
)
from typing import Any

import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.client import WebTerminalClient
from MetaTrader5.server import SimulatorHandle, start_simulator
from MetaTrader5.server.accounts import AccountConfig
from MetaTrader5.server.config import SimulatorConfig
from MetaTrader5.server.otp import totp

PASSWORD = "Pw-7hunter2-Zq9!"
WRONG = "Wr0ng-Pw-Xy4%"
OTP_PASSWORD = "Otp-Acct-Pw-55Kk"
OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
PLAIN_LOGIN, OTP_LOGIN = 7100001, 7100002


@pytest.fixture(scope="module")
def secret_sim() -> Iterator[SimulatorHandle]:
    config = SimulatorConfig(accounts=(
        AccountConfig(login=PLAIN_LOGIN, password=PASSWORD),
        AccountConfig(login=OTP_LOGIN, password=OTP_PASSWORD, otp_secret=OTP_SECRET),
    ))  # fmt: skip
    handle = start_simulator(config, host="127.0.0.1", port=0)
    yield handle
    handle.stop()


#: Not walked: code, weak proxies, and the running frames/coroutines (those hold the test's
#: own locals - the secrets it passes in - not the library's state).
_SKIP = (
    ModuleType,
    FunctionType,
    weakref.ProxyType,
    weakref.CallableProxyType,
    FrameType,
    CoroutineType,
    GeneratorType,
    CellType,
    MethodType,
)


def _reachable(roots: list[Any], limit: int = 60_000) -> list[Any]:
    """Objects reachable from ``roots`` through gc referents (modules and code excluded)."""
    seen: set[int] = set()
    out: list[Any] = []
    stack = list(roots)
    while stack and len(out) < limit:
        obj = stack.pop()
        kind = type(obj)
        if id(obj) in seen or kind in _SKIP or issubclass(kind, type):
            continue
        seen.add(id(obj))
        out.append(obj)
        if (kind.__module__ or "").startswith("MetaTrader5.server"):
            continue  # the simulator in this process holds its accounts' passwords by design
        stack.extend(gc.get_referents(obj))
    return out


def _observe(obj: Any, sink: list[str]) -> None:
    """repr/str/pickle of one object; the secret string objects themselves are skipped."""
    if type(obj) in (str, bytes, bytearray, memoryview, int, float):
        return  # a secret has to live in memory while in use; showing it is what we test
    for render in (repr, str):
        try:
            sink.append(render(obj))
        except Exception as exc:  # a failing repr is fine; its message is observed too
            sink.append(f"{type(exc).__name__}: {exc}")
    try:
        sink.append(pickle.dumps(obj).decode("latin-1"))
    except Exception as exc:
        sink.append(f"{type(exc).__name__}: {exc}")


def _leaks(text: str, secrets: list[str]) -> list[str]:
    found = []
    for secret in secrets:
        for form in (secret, secret.encode("utf-16-le").decode("latin-1")):
            if form in text:
                found.append(secret)
    return found


def _context(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        at = text.find(secret)
        if at >= 0:
            return text[max(0, at - 150) : at + 40]
    return text[:200]


def test_no_secret_anywhere(
    secret_sim: SimulatorHandle, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    observed: list[str] = []
    codes: list[str] = []

    # --- module API: wrong then right password, failures, trading ----------------------
    terminal = mt5.Terminal()
    assert not terminal.initialize(path=secret_sim.url, login=PLAIN_LOGIN, password=WRONG,
                                   timeout=5000)  # fmt: skip
    observed.append(repr(terminal.last_error()))
    assert terminal.last_error()[0] == -6
    assert terminal.initialize(path=secret_sim.url, login=PLAIN_LOGIN, password=PASSWORD,
                               timeout=5000), terminal.last_error()  # fmt: skip
    assert terminal.symbol_info("NO-SUCH-SYMBOL") is None
    observed.append(repr(terminal.last_error()))
    tick = terminal.symbol_info_tick("EURUSD")
    assert tick is not None
    result = terminal.order_send(
        dict(
            action=mt5.TRADE_ACTION_DEAL,
            symbol="EURUSD",
            volume=0.1,
            type=mt5.ORDER_TYPE_BUY,
            price=tick.ask,
        )
    )
    observed.append(repr(result))
    assert not terminal.login(PLAIN_LOGIN, password=WRONG, timeout=5000)
    observed.append(repr(terminal.last_error()))
    for obj in _reachable([terminal]):
        _observe(obj, observed)
    try:
        pickle.dumps(terminal)
    except Exception as exc:
        observed.append(f"{exc!r} {exc}")
    terminal.shutdown()

    # --- async client: OTP account, missing / wrong / right code -----------------------
    async def otp_session() -> None:
        for otp in (None, "000000", totp(OTP_SECRET, time.time())):
            codes.append(otp or "")
            client = WebTerminalClient(secret_sim.url, login=OTP_LOGIN, password=OTP_PASSWORD,
                                       otp=otp, timeout=5.0, reconnect=False)  # fmt: skip
            try:
                await client.open()
            except Exception as exc:
                observed.extend([repr(exc), str(exc), repr(exc.__cause__), repr(exc.args)])
                logging.getLogger("MetaTrader5.client").exception("login failed (on purpose)")
                observed.append(repr(mt5.errors.error_for(exc)))
                continue
            await client.account_info()
            for obj in _reachable([client]):
                _observe(obj, observed)
            await client.close()

    asyncio.run(asyncio.wait_for(otp_session(), 60))
    valid_codes = [c for c in codes if c and c != "000000"]
    assert valid_codes, "the OTP login did not run"

    out, err = capfd.readouterr()
    log_text = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {caplog.handler.format(r)}"
        for r in caplog.records
    )
    assert any(r.levelno == logging.DEBUG for r in caplog.records)  # DEBUG really was on
    # The walk really reached the client's credentials, and the search really finds a leak.
    assert any("Credentials(login=" in text for text in observed)
    assert _leaks(repr({"password": PASSWORD}), [PASSWORD])
    secrets = [PASSWORD, WRONG, OTP_PASSWORD, OTP_SECRET, *valid_codes]
    where = [_context(text, secrets) for text in [*observed, log_text, out, err]
             if _leaks(text, secrets)]  # fmt: skip
    assert not where
