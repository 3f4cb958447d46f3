"""Reconnect while a trade request is in flight, at every step of its exchange.

A fault proxy between the client and the simulator cuts both sockets at one step: before the
request reaches the server, right after it did, instead of the u32 answer, instead of push
19, and right after push 19. The server's ledger is the judge: the client never re-sends
(0 duplicated orders) and every order the server executed is reported to the caller, either
as the result or as a "trade_fate" after reconnecting (0 lost orders).
"""

from __future__ import annotations

import pytest

from MetaTrader5.client import TradeFate, TradeOutcomeUnknownError

from .proxy import FaultProxy
from .sim import LOGIN, client, request, run, simulator, until

STEPS = {
    "before the request": ("c2s", 12, "cut_before", False),
    "after the request": ("c2s", 12, "cut_after", True),
    "instead of the answer": ("s2c", 12, "cut_before", True),
    "instead of push 19": ("s2c", 19, "cut_before", True),
    "after push 19": ("s2c", 19, "cut_after", True),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_drop_at_each_step_of_a_trade_request(step: str) -> None:
    direction, command, action, executed = STEPS[step]

    async def main() -> None:
        async with simulator() as server, FaultProxy(server.url) as proxy:
            armed = [True]

            def plan(d: str, cmd: int) -> str:
                if armed[0] and d == direction and cmd == command:
                    armed[0] = False
                    return action
                return "pass"

            async with client(proxy.url, timeout=3.0) as c:
                await c.wait_ticks("EURUSD")
                fates: list[TradeFate] = []
                reconnects: list[int] = []
                c.on_trade_fate(fates.append)
                c.on_reconnect(reconnects.append)
                proxy.plan = plan
                reported: set[int] = set()
                try:
                    result = await c.order_send(request(volume=0.1))
                    assert result.retcode == 10009
                    reported.add(result.order)
                except TradeOutcomeUnknownError:
                    await until(lambda: bool(fates), 10.0)
                    reported.update(f.order for f in fates if f.found)
                await until(lambda: bool(reconnects) and c.state == "ready", 10.0)
                ledger = server.context.engine.ledger(LOGIN)
                executed_orders = {o.ticket for o in ledger.all_history_orders()}
                sent = sum(1 for d, cmd in proxy.seen if d == "c2s" and cmd == 12)
                assert sent == 1  # never re-sent: 0 duplicated
                assert len(executed_orders) == (1 if executed else 0)
                assert reported == executed_orders  # 0 lost
                assert proxy.cuts == 1
                # the live state was reloaded after the reconnect
                assert c.positions_total() == len(ledger.positions)

    run(main(), 40)
