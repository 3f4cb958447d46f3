"""Trading through the facade against the real simulator: results, live state, history."""

from __future__ import annotations

import asyncio

import pytest

from MetaTrader5.client import TradeEvent
from MetaTrader5.server.accounts import AccountConfig
from MetaTrader5.server.config import DEFAULT_ACCOUNT, SimulatorConfig

from .sim import LOGIN, client, request, run, simulator, until

DONE, PLACED = 10009, 10008


def test_market_round_trip_positions_and_history_agree() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            events: list[TradeEvent] = []
            c.on_trade(events.append)
            opened = await c.order_send(request(volume=0.3, comment="rt"))
            assert opened.retcode == DONE and opened.comment == "Request executed"
            assert opened.volume == 0.3 and opened.request.comment == "rt"
            assert opened.request_id > 0 and opened.order and opened.deal
            # push 10 arrives before push 19 (spec 7.7): the live state already has it
            assert c.positions_total() == 1
            (position,) = await c.positions_get(symbol="EURUSD")
            assert position.volume == 0.3 and position.type == 0
            assert position.price_open == opened.price and position.comment == "rt"
            assert (await c.positions_get(ticket=position.ticket)) == (position,)
            ledger = server.context.engine.ledger(LOGIN)
            assert set(ledger.positions) == {position.ticket}
            assert {e.kind for e in events} >= {"deal", "position", "history_order"}
            closed = await c.order_send(request(type=1, volume=0.3, position=position.ticket))
            assert closed.retcode == DONE
            assert c.positions_total() == 0 and await c.positions_get() == ()
            deals = await c.history_deals_get(position=position.ticket)
            assert [(d.entry, d.volume) for d in deals] == [(0, 0.3), (1, 0.3)]
            orders = await c.history_orders_get(position=position.ticket)
            assert {o.ticket for o in orders} == {opened.order, closed.order}
            account = await c.account_info()
            assert account.balance == pytest.approx(100000.0 + deals[1].profit + sum(
                d.commission for d in deals), abs=0.01)
            assert account.margin == 0.0 and account.equity == account.balance

    run(main())


def test_pending_order_place_modify_remove() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            tick = await c.symbol_info_tick("EURUSD")
            price = round(tick.ask - 0.01, 5)
            placed = await c.order_send(request(action=5, type=2, price=price, type_filling=2))
            assert placed.retcode == PLACED and placed.order
            assert c.orders_total() == 1
            (order,) = await c.orders_get(ticket=placed.order)
            assert order.price_open == price and order.type == 2 and order.volume_initial == 0.1
            new_price = round(price - 0.001, 5)
            modified = await c.order_send(request(action=7, order=placed.order, price=new_price,
                                                  type=2, type_filling=2))  # fmt: skip
            assert modified.retcode == DONE
            (order,) = await c.orders_get(symbol="EURUSD")
            assert order.price_open == new_price
            removed = await c.order_send(request(action=8, order=placed.order, type=2))
            assert removed.retcode == DONE
            assert c.orders_total() == 0 and not server.context.engine.ledger(LOGIN).orders
            (history,) = await c.history_orders_get(ticket=placed.order)
            assert history.state == 2  # canceled

    run(main())


def test_partial_close_close_by_and_sltp() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            buy = await c.order_send(request(volume=0.5))
            (pos,) = await c.positions_get()
            partial = await c.order_send(request(type=1, volume=0.2, position=pos.ticket))
            assert partial.retcode == DONE
            (pos,) = await c.positions_get()
            assert pos.volume == 0.3
            tick = await c.symbol_info_tick("EURUSD")
            sl = round(tick.bid - 0.005, 5)
            moved = await c.order_send(request(action=6, position=pos.ticket, sl=sl))
            assert moved.retcode == DONE and (await c.positions_get())[0].sl == sl
            sell = await c.order_send(request(type=1, volume=0.3))
            assert sell.retcode == DONE and c.positions_total() == 2
            by = next(p for p in await c.positions_get() if p.type == 1)
            closed = await c.order_send(request(action=10, position=pos.ticket,
                                                position_by=by.ticket))  # fmt: skip
            assert closed.retcode == DONE
            await until(lambda: c.positions_total() == 0)
            assert not server.context.engine.ledger(LOGIN).positions
            assert buy.order != sell.order

    run(main())


def test_order_check_results() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            ok = await c.order_check(request(volume=1.0))
            assert (ok.retcode, ok.comment) == (0, "Done")
            margin = await c.order_calc_margin(0, "EURUSD", 1.0, (await c.symbol_info_tick(
                "EURUSD")).ask)
            assert ok.margin == pytest.approx(margin, rel=1e-3)
            assert ok.margin_free == pytest.approx(ok.equity - ok.margin, abs=0.02)
            assert ok.balance == 100000.0 and ok.request.volume == 1.0
            assert (await c.order_check(request(volume=0.001))).retcode == 10014
            tick = await c.symbol_info_tick("EURUSD")
            bad_sl = await c.order_check(request(sl=round(tick.bid + 0.01, 5)))
            assert bad_sl.retcode == 10016 and "sl" in bad_sl.comment
            assert (await c.order_check(request(type_filling=3))).retcode == 10030
            assert (await c.order_send(request(volume=60.0))).retcode == DONE
            broke = await c.order_check(request(volume=60.0))
            assert broke.retcode == 10019 and broke.margin_free < 0 and broke.comment == "No money"
            profit = await c.order_calc_profit(0, "EURUSD", 1.0, 1.1, 1.1010)
            assert profit == pytest.approx(100.0)
            rejected = await c.order_send(request(volume=0.001))
            assert rejected.retcode == 10014 and rejected.order == 0
            assert len(server.context.engine.ledger(LOGIN).all_history_orders()) == 1

    run(main())


def test_account_equity_moves_with_ticks() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            await c.order_send(request(volume=5.0))
            infos = []
            c.on_account(infos.append)
            seen = set()
            for _ in range(60):
                account = await c.account_info()
                (pos,) = await c.positions_get()
                assert account.profit == pytest.approx(pos.profit, abs=0.011)
                assert account.equity == pytest.approx(account.balance + account.profit, abs=0.011)
                assert account.margin_free == pytest.approx(account.equity - account.margin,
                                                            abs=0.02)  # fmt: skip
                seen.add(account.equity)
                if len(seen) >= 2:
                    break
                await asyncio.sleep(0.25)
            assert len(seen) >= 2  # equity follows the tick stream (spec 4.9)
            await c.order_send(request(type=1, volume=5.0,
                                       position=(await c.positions_get())[0].ticket))
            await until(lambda: bool(infos))
            assert infos[-1].login == LOGIN

    run(main(), 40)


def test_two_accounts_at_once_are_independent() -> None:
    second = AccountConfig(login=5000002, password="second-pass", balance=5000.0,
                           margin_mode="netting")  # fmt: skip
    config = SimulatorConfig(accounts=(DEFAULT_ACCOUNT, second))

    async def main() -> None:
        async with (
            simulator(config=config) as server,
            client(server.url) as a,
            client(server.url, login=5000002, password="second-pass") as b,
        ):
            ra, rb = await asyncio.gather(a.order_send(request(volume=0.1)),
                                          b.order_send(request(volume=0.2, type=1)))
            assert ra.retcode == rb.retcode == DONE
            assert [p.volume for p in await a.positions_get()] == [0.1]
            assert [(p.volume, p.type) for p in await b.positions_get()] == [(0.2, 1)]
            ia, ib = await a.account_info(), await b.account_info()
            assert (ia.login, ia.margin_mode) == (LOGIN, 2)
            assert (ib.login, ib.margin_mode, ib.balance) == (5000002, 0, 5000.0)
            assert a.hub is not b.hub and a.market is not b.market

    run(main())
