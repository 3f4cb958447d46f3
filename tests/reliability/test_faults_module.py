"""Cut the connection at every step of an ``order_send``, through the MODULE API.

For each kind of request (market, pending, SL/TP modify, pending modify, close, close-by) and
each step of its exchange (spec 3.7.1: cmd 12 request, u32 answer, push 10, push 19) the fault
proxy aborts both sockets. Then:

* the module call returns within its timeout: a valid result when push 19 made it, otherwise
  the official sentinel ``None`` with a connection/timeout ``last_error()``;
* the request crossed the proxy exactly once (the client never re-sends: 0 duplicated);
* the server applied it exactly once, or not at all when it never left;
* after ``initialize()`` again, every position, order, history order and deal the server has
  is what the client shows, field for field (0 lost).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs
from MetaTrader5.server import SimulatorHandle

from ._ledger import View, client_view, server_view
from .conftest import LOGIN, PASSWORD
from .faultproxy import FaultProxy, Rule

TIMEOUT_MS = 2000
#: initialize(timeout=) bounds every later call (``_session.call_seconds``), plus slack.
CALL_BOUND_S = TIMEOUT_MS / 1000 + 1.0
LOST_LINK_CODES = {-10002, -10004, -10005}
OK = {mt5.TRADE_RETCODE_DONE, mt5.TRADE_RETCODE_PLACED}

#: step -> (direction, command, action)
STEPS: dict[str, tuple[str, int, str]] = {
    "before_request": ("c2s", 12, "cut_before"),
    "after_request": ("c2s", 12, "cut_after"),
    "after_answer": ("s2c", 12, "cut_after"),
    "after_push10": ("s2c", 10, "cut_after"),
    "after_push19": ("s2c", 19, "cut_after"),
}


def _connect(proxy: FaultProxy) -> mt5.Terminal:
    terminal = mt5.Terminal()
    ok = terminal.initialize(path=proxy.url, login=LOGIN, password=PASSWORD, timeout=TIMEOUT_MS)
    assert ok, terminal.last_error()
    return terminal


def _quote(t: mt5.Terminal, symbol: str = "EURUSD") -> Any:
    tick = t.symbol_info_tick(symbol)
    assert tick is not None, t.last_error()
    return tick


def _deal(t: mt5.Terminal, kind: int, **extra: Any) -> dict[str, Any]:
    tick = _quote(t)
    return dict(action=mt5.TRADE_ACTION_DEAL, symbol="EURUSD", volume=0.1, type=kind,
                price=tick.ask if kind == mt5.ORDER_TYPE_BUY else tick.bid, deviation=50,
                **extra)  # fmt: skip


def _open(t: mt5.Terminal, kind: int = mt5.ORDER_TYPE_BUY) -> int:
    result = t.order_send(_deal(t, kind))
    assert result is not None and result.retcode == mt5.TRADE_RETCODE_DONE, t.last_error()
    return int(result.order)


def _limit(t: mt5.Terminal, offset: float = 0.01) -> dict[str, Any]:
    tick = _quote(t)
    return dict(action=mt5.TRADE_ACTION_PENDING, symbol="EURUSD", volume=0.1,
                type=mt5.ORDER_TYPE_BUY_LIMIT, price=round(tick.ask - offset, 5))  # fmt: skip


def _place(t: mt5.Terminal) -> int:
    result = t.order_send(_limit(t))
    assert result is not None and result.retcode in OK, t.last_error()
    return int(result.order)


# Each kind: setup(terminal) -> (request, effect check(before, after) on the server views).
Check = Callable[[View, View], None]


def market(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    def check(before: View, after: View) -> None:
        new = set(after.positions) - set(before.positions)
        assert len(new) == 1 and len(after.history) == len(before.history) + 1

    return _deal(t, mt5.ORDER_TYPE_BUY), check


def pending(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    def check(before: View, after: View) -> None:
        assert len(set(after.orders) - set(before.orders)) == 1

    return _limit(t), check


def sltp(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    ticket = _open(t)
    sl = round(_quote(t).bid - 0.02, 5)

    def check(before: View, after: View) -> None:
        assert before.positions[ticket][3] == 0.0 and after.positions[ticket][3] == sl

    return dict(action=mt5.TRADE_ACTION_SLTP, symbol="EURUSD", position=ticket, sl=sl), check


def modify(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    ticket = _place(t)
    price = round(_quote(t).ask - 0.02, 5)

    def check(before: View, after: View) -> None:
        assert before.orders[ticket][3] != price and after.orders[ticket][3] == price

    request = dict(action=mt5.TRADE_ACTION_MODIFY, order=ticket, symbol="EURUSD", price=price)
    return request, check


def close(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    ticket = _open(t)

    def check(before: View, after: View) -> None:
        assert ticket in before.positions and ticket not in after.positions
        assert len(after.deals) == len(before.deals) + 1

    return _deal(t, mt5.ORDER_TYPE_SELL, position=ticket), check


def close_by(t: mt5.Terminal) -> tuple[dict[str, Any], Check]:
    buy, sell = _open(t), _open(t, mt5.ORDER_TYPE_SELL)

    def check(before: View, after: View) -> None:
        assert {buy, sell} <= set(before.positions)
        assert not {buy, sell} & set(after.positions)

    request = dict(action=mt5.TRADE_ACTION_CLOSE_BY, symbol="EURUSD", position=buy,
                   position_by=sell)  # fmt: skip
    return request, check


KINDS = {"market": market, "pending": pending, "sltp": sltp, "modify": modify, "close": close,
         "close_by": close_by}  # fmt: skip
#: The full matrix runs by default: 30 cases, a few seconds in all.
MATRIX = [pytest.param(kind, step, id=f"{kind}-{step}") for kind in KINDS for step in STEPS]


@pytest.fixture
def flat(sim: SimulatorHandle, proxy: FaultProxy) -> Iterator[None]:
    """Close what earlier cases left open, so each case starts from a small book."""
    yield
    t = _connect(proxy)
    for position in t.positions_get() or ():
        kind = mt5.ORDER_TYPE_SELL if position.type == 0 else mt5.ORDER_TYPE_BUY
        t.order_send(_deal(t, kind, position=position.ticket))
    for order in t.orders_get() or ():
        t.order_send(dict(action=mt5.TRADE_ACTION_REMOVE, order=order.ticket))
    t.shutdown()


@pytest.mark.parametrize(("kind", "step"), MATRIX)
def test_cut_at_each_step(
    kind: str, step: str, sim: SimulatorHandle, proxy: FaultProxy, flat: None
) -> None:
    t = _connect(proxy)
    request, check = KINDS[kind](t)
    before = server_view(sim)
    direction, command, action = STEPS[step]
    rule = Rule(action, direction, command)
    sent_before = proxy.sent("c2s", 12)
    proxy.arm(rule)
    started = time.monotonic()
    result = t.order_send(request)
    elapsed = time.monotonic() - started
    error = t.last_error()
    proxy.disarm()

    assert rule.fired == 1, "the fault was not injected"
    assert elapsed < CALL_BOUND_S
    if step == "after_push19":
        assert result is not None and result.retcode in OK
        assert error == (1, "Success")
    else:
        assert result is None
        assert error[0] in LOST_LINK_CODES, error
    assert proxy.sent("c2s", 12) - sent_before == 1  # never re-sent: 0 duplicated
    after = server_view(sim)
    if step == "before_request":
        assert after == before  # it never reached the server
    else:
        check(before, after)  # applied exactly once
    # Every call on the dead link fails at once with the sentinel, not a hang.
    assert t.positions_get() is None and t.last_error()[0] in LOST_LINK_CODES
    t.shutdown()
    again = _connect(proxy)
    assert client_view(again) == server_view(sim)  # 0 lost: the client sees the ledger
    again.shutdown()
