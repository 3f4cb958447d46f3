"""Magic numbers of our own trades round-trip against the real simulator (spec 4.5: the wire
request has none, so the client remembers them per order ticket: client/_magic.py)."""

from __future__ import annotations

from MetaTrader5.client import TradeEvent, WebTerminalClient
from MetaTrader5.client._magic import MagicBook
from MetaTrader5.server.app import SimulatorServer
from MetaTrader5.server.pushes import push_events

from .sim import LOGIN, client, request, run, simulator, until

DONE, PLACED = 10009, 10008
DEAL_REASON_TP = ORDER_REASON_TP = 5
ENTRY_IN, ENTRY_OUT = 0, 1


async def _quote(server: SimulatorServer, c: WebTerminalClient, bid: float, ask: float) -> None:
    """Feed one quote to the simulator's engine and push what it triggers, as its feed does."""
    context = server.context
    now = max((await c.symbol_info_tick("EURUSD")).time_msc, context.market.now_ms()) + 1
    push_events(context, context.engine.on_quote("EURUSD", bid, ask, now))


def test_market_position_deals_and_orders_carry_the_request_magic() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            events: list[TradeEvent] = []
            c.on_trade(events.append)
            opened = await c.order_send(request(magic=123, comment="m"))
            assert opened.retcode == DONE and opened.request.magic == 123
            # the simulator, like any Web Terminal server, stores 0 (no wire field)
            assert server.context.engine.ledger(LOGIN).positions[opened.order].magic == 0
            (position,) = await c.positions_get()
            assert (position.identifier, position.magic) == (opened.order, 123)
            assert (await c.positions_get(ticket=position.ticket))[0].magic == 123
            # a later push 10 (SL move) builds its position record with our magic too
            tick = await c.symbol_info_tick("EURUSD")
            sltp = await c.order_send(request(action=6, position=position.ticket,
                                              sl=round(tick.bid - 0.01, 5)))  # fmt: skip
            assert sltp.retcode == DONE
            await until(lambda: any(e.kind == "position" and e.action == "update"
                                    for e in events))  # fmt: skip
            moved = [e.record for e in events if e.kind == "position" and e.action == "update"]
            assert moved[-1].magic == 123
            closed = await c.order_send(request(type=1, position=position.ticket, magic=123))
            assert closed.retcode == DONE
            deals = await c.history_deals_get(position=position.ticket)
            assert [(d.entry, d.order, d.magic) for d in deals] == [
                (ENTRY_IN, opened.order, 123),
                (ENTRY_OUT, closed.order, 123),
            ]
            (by_ticket,) = await c.history_deals_get(ticket=opened.order)
            assert by_ticket.magic == 123
            orders = await c.history_orders_get(position=position.ticket)
            assert {(o.ticket, o.magic) for o in orders} == {(opened.order, 123),
                                                             (closed.order, 123)}  # fmt: skip

    run(main())


def test_a_close_without_magic_gives_its_deal_magic_0_as_in_mt5() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            opened = await c.order_send(request(magic=123))
            closed = await c.order_send(request(type=1, position=opened.order))
            assert closed.retcode == DONE
            deals = await c.history_deals_get(position=opened.order)
            assert [(d.order, d.magic) for d in deals] == [(opened.order, 123), (closed.order, 0)]
            (close_order,) = await c.history_orders_get(ticket=closed.order)
            assert close_order.magic == 0

    run(main())


def test_pending_order_keeps_its_magic_when_modified_and_when_it_triggers() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            tick = await c.symbol_info_tick("EURUSD")
            price = round(tick.ask - 0.01, 5)
            placed = await c.order_send(request(action=5, type=2, price=price, type_filling=2,
                                                magic=7))  # fmt: skip
            assert placed.retcode == PLACED
            (order,) = await c.orders_get()
            assert (order.ticket, order.magic) == (placed.order, 7)
            # MODIFY creates no order: a request without magic leaves the order's alone
            new_price = round(price - 0.001, 5)
            modified = await c.order_send(request(action=7, order=placed.order, type=2,
                                                  price=new_price, type_filling=2))  # fmt: skip
            assert modified.retcode == DONE
            (order,) = await c.orders_get(ticket=placed.order)
            assert (order.price_open, order.magic) == (new_price, 7)
            await _quote(server, c, new_price - 0.0002, new_price)  # the limit is reached
            await until(lambda: c.positions_total() == 1)
            (position,) = await c.positions_get()
            assert (position.identifier, position.magic) == (placed.order, 7)
            (deal,) = await c.history_deals_get(ticket=placed.order)
            assert (deal.position_id, deal.magic) == (placed.order, 7)
            (history,) = await c.history_orders_get(ticket=placed.order)
            assert history.magic == 7

    run(main())


def test_tp_close_reports_the_position_magic() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            tick = await c.symbol_info_tick("EURUSD")
            tp = round(tick.ask + 0.01, 5)
            opened = await c.order_send(request(magic=123, tp=tp))
            assert opened.retcode == DONE
            await _quote(server, c, tp + 0.0001, tp + 0.0003)
            await until(lambda: c.positions_total() == 0)
            deals = await c.history_deals_get(position=opened.order)
            assert [(d.entry, d.magic) for d in deals] == [(ENTRY_IN, 123), (ENTRY_OUT, 123)]
            assert deals[1].reason == DEAL_REASON_TP and deals[1].order != opened.order
            orders = await c.history_orders_get(position=opened.order)
            server_order = next(o for o in orders if o.ticket != opened.order)
            assert (server_order.reason, server_order.magic) == (ORDER_REASON_TP, 123)

    run(main())


def test_trades_of_another_client_report_0_and_close_forgets() -> None:
    async def main() -> None:
        async with simulator() as server:
            async with client(server.url) as ours, client(server.url) as other:
                opened = await ours.order_send(request(magic=123))
                assert opened.retcode == DONE
                await until(lambda: other.positions_total() == 1)
                # documented limit: another client (process, terminal) never saw the request
                assert [p.magic for p in await other.positions_get()] == [0]
                assert [d.magic for d in await other.history_deals_get(ticket=opened.order)] == [0]
                assert [p.magic for p in await ours.positions_get()] == [123]
            assert len(ours.magic) == 0  # close() forgets
            async with client(server.url) as later:
                assert [p.magic for p in await later.positions_get()] == [0]

    run(main())


def test_a_non_zero_wire_magic_is_never_overridden() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            opened = await c.order_send(request(magic=123))
            ledger = server.context.engine.ledger(LOGIN)
            # as a real server would report for a desktop terminal's trade
            for wire_deal in ledger.deals_by_order(opened.order):
                wire_deal.magic = 999
            history_order = ledger.history_order(opened.order)
            assert history_order is not None
            history_order.magic = 999
            (deal,) = await c.history_deals_get(ticket=opened.order)
            (order,) = await c.history_orders_get(ticket=opened.order)
            assert (deal.magic, order.magic) == (999, 999)
            assert [p.magic for p in await c.positions_get()] == [123]  # wire still 0 there

    run(main())


def test_magic_book_is_bounded_least_recently_used_first() -> None:
    book = MagicBook(capacity=2)
    book.remember(1, 10, 5)
    book.remember(1, 11, 6)
    assert book.position(10, 0) == 5  # a hit keeps ticket 10 in use
    book.remember(5, 12, 7)
    assert (book.position(10, 0), book.position(11, 0), book.position(12, 0)) == (5, 0, 7)
    book.remember(7, 13, 8)  # MODIFY creates no order
    book.remember(1, 14, 0)  # nothing to remember
    assert len(book) == 2 and book.position(13, 0) == 0
    assert book.deal(99, 12, DEAL_REASON_TP, 0) == 7 and book.deal(99, 12, 0, 0) == 0
