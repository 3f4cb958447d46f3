"""Live-broker smoke suite: skipped unless MT5WEB_LIVE_URL/LOGIN/PASSWORD/SERVER are set."""

from __future__ import annotations

import asyncio
import os

import pytest

from MetaTrader5.client import WebTerminalClient

_ENV = ("MT5WEB_LIVE_URL", "MT5WEB_LIVE_LOGIN", "MT5WEB_LIVE_PASSWORD", "MT5WEB_LIVE_SERVER")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not all(os.environ.get(name) for name in _ENV),
        reason="live broker not configured (MT5WEB_LIVE_* variables)",
    ),
]


def test_login_symbols_and_ticks_on_a_live_web_terminal() -> None:
    async def main() -> None:
        async with WebTerminalClient.connect(
            os.environ["MT5WEB_LIVE_URL"],
            login=int(os.environ["MT5WEB_LIVE_LOGIN"]),
            password=os.environ["MT5WEB_LIVE_PASSWORD"],
            timeout=30.0,
        ) as client:
            symbols = await client.symbols_get()
            assert symbols and await client.symbols_total() == len(symbols)
            name = symbols[0].name
            await client.symbol_select(name, True)
            await asyncio.sleep(5)
            account = await client.account_info()
            assert account.login == int(os.environ["MT5WEB_LIVE_LOGIN"])
            health = client.health()
            assert health.connected and health.server_build is not None

    asyncio.run(main())
