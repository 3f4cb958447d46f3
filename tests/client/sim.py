"""Helpers for client tests against the real simulator over loopback (port 0)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from MetaTrader5.client import Backoff, WebTerminalClient
from MetaTrader5.records import TradeRequest
from MetaTrader5.server.app import SimulatorServer
from MetaTrader5.server.config import DEFAULT_ACCOUNT

LOGIN = DEFAULT_ACCOUNT.login
PASSWORD = DEFAULT_ACCOUNT.password


def run(coro: Awaitable[Any], timeout: float = 30.0) -> Any:
    """Run one test coroutine in a fresh loop, bounded in time."""

    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@contextlib.asynccontextmanager
async def simulator(**options: Any) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(**options) as server:
        yield server


@contextlib.asynccontextmanager
async def client(url: str, **options: Any) -> AsyncIterator[WebTerminalClient]:
    options.setdefault("login", LOGIN)
    options.setdefault("password", PASSWORD)
    options.setdefault("backoff", Backoff(base=0.02, cap=0.1, minimum=0.01))
    async with WebTerminalClient.connect(url, **options) as connected:
        yield connected


def request(**fields: Any) -> TradeRequest:
    """An official TradeRequest; a market buy of 0.1 EURUSD unless overridden."""
    base: dict[str, Any] = dict(
        action=1, magic=0, order=0, symbol="EURUSD", volume=0.1, price=0.0, stoplimit=0.0,
        sl=0.0, tp=0.0, deviation=10, type=0, type_filling=0, type_time=0, expiration=0,
        comment="", position=0, position_by=0,
    )  # fmt: skip
    base.update(fields)
    return TradeRequest(tuple(base.values()))


async def until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait until ``predicate()`` holds (polling), or fail."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)
