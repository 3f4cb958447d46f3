"""API.md 4 (order_check, order_send, getters, history) and the order lifecycle, live.

Runs on demo accounts only (the ``trading`` fixture); every order carries this suite's magic
number and is cleaned up afterwards.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import pytest

#: Compatibility-matrix metadata (conftest.py, scripts/make_compat_matrix.py).
compat = pytest.mark.compat

#: This suite's magic number; the ``trading`` fixture (conftest) removes what carries it.
MAGIC = 7_310_001
SUCCESS = (1, "Success")
FAR_FUTURE = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


def _deal(mt5: ModuleType, symbol: str, kind: int, volume: float, **extra: Any) -> Any:
    tick = mt5.symbol_info_tick(symbol)
    price = tick.ask if kind == mt5.ORDER_TYPE_BUY else tick.bid
    request = {
        "action": mt5.TRADE_ACTION_DEAL,
        "symbol": symbol,
        "volume": volume,
        "type": kind,
        "price": price,
        "deviation": 50,
        "magic": MAGIC,
        "comment": "compat",
        **extra,
    }
    return mt5.order_send(request)


def _open(mt5: ModuleType, symbol: str, kind: int, volume: float = 0.1) -> Any:
    result = _deal(mt5, symbol, kind, volume)
    assert result is not None, mt5.last_error()
    assert result.retcode == mt5.TRADE_RETCODE_DONE, result
    (position,) = [p for p in mt5.positions_get(symbol=symbol) if p.identifier == result.order]
    return result, position


@compat(
    "function:order_check",
    "fields:OrderCheckResult",
    status="computed",
    note="checked and computed locally: the protocol has no order-check request",
)
def test_order_check(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    tick = mt5.symbol_info_tick(symbol)
    request = {
        "action": mt5.TRADE_ACTION_DEAL,
        "symbol": symbol,
        "volume": 0.1,
        "type": mt5.ORDER_TYPE_BUY,
        "price": tick.ask,
        "deviation": 10,
    }
    check = mt5.order_check(request)
    assert type(check).__name__ == "OrderCheckResult" and len(check) == 9
    assert (check.retcode, check.comment) == (0, "Done")
    assert check.margin > 0 and check.margin_free < check.equity
    assert type(check.request).__name__ == "TradeRequest"
    assert (check.request.symbol, check.request.volume) == (symbol, 0.1)
    same = mt5.order_check(**request)  # keyword form
    assert same is not None and same.retcode == 0
    bad = mt5.order_check({**request, "volume": 0.0})
    assert bad is not None and bad.retcode != 0
    assert mt5.last_error() == SUCCESS


@compat("function:order_send", "fields:OrderSendResult")
@compat(
    "fields:OrderSendResult.retcode_external",
    status="neutral",
    note="0",
)
def test_order_send_result_and_argument_errors(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    result = _deal(mt5, symbol, mt5.ORDER_TYPE_BUY, 0.1)
    assert type(result).__name__ == "OrderSendResult" and len(result) == 11
    assert result.retcode == mt5.TRADE_RETCODE_DONE
    assert result.comment == "Request executed"
    assert result.deal > 0 and result.order > 0 and result.volume == 0.1 and result.price > 0
    assert result.request.magic == MAGIC
    assert mt5.last_error() == SUCCESS
    assert _deal(mt5, symbol, mt5.ORDER_TYPE_BUY, 0.1, sl=0) is None  # int for a float field
    assert mt5.last_error() == (-2, 'Invalid "sl" argument')
    assert _deal(mt5, symbol, mt5.ORDER_TYPE_BUY, 0.1, comment="x" * 30) is None
    assert mt5.last_error() == (-2, 'Invalid "comment" argument')


@compat("function:order_send")
def test_a_rejected_order_is_still_a_result(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    rejected = _deal(mt5, symbol, mt5.ORDER_TYPE_BUY, 0.123456)  # not a volume step
    assert rejected is not None
    assert rejected.retcode not in (mt5.TRADE_RETCODE_DONE, mt5.TRADE_RETCODE_PLACED)
    assert rejected.deal == 0
    assert mt5.last_error() == SUCCESS


@compat(
    "function:positions_get",
    "function:positions_total",
    "fields:TradePosition",
)
@compat(
    "fields:TradePosition.price_current,profit",
    status="computed",
    note="recomputed on every tick, in the deposit currency",
)
def test_getters_filter_precedence(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    _, position = _open(mt5, symbol, mt5.ORDER_TYPE_BUY)
    assert type(position).__name__ == "TradePosition" and len(position) == 19
    assert position.volume == 0.1 and position.comment == "compat"
    assert position.type == mt5.POSITION_TYPE_BUY
    assert mt5.positions_total() >= 1
    # ticket, then symbol, then group (API.md 9.7).
    by_ticket = mt5.positions_get(ticket=position.ticket, symbol="NO_SUCH", group="!*")
    assert [p.ticket for p in by_ticket] == [position.ticket]
    assert mt5.positions_get(ticket=2**62) == ()
    assert mt5.last_error() == SUCCESS
    by_symbol = mt5.positions_get(symbol=symbol, group="NO_SUCH*")
    assert position.ticket in [p.ticket for p in by_symbol]
    assert position.ticket in [p.ticket for p in mt5.positions_get(group=f"*,!NO{symbol}")]
    assert mt5.positions_get(group=f"*,!{symbol}") is not None
    assert position.ticket not in [p.ticket for p in mt5.positions_get(group=f"*,!{symbol}")]
    assert position.ticket not in [p.ticket for p in mt5.positions_get(group=symbol.lower())]
    assert mt5.positions_get(symbol) is None  # keyword-only
    assert mt5.last_error() == (-2, "Unnamed arguments not allowed")


@compat(
    "function:order_send",
    "function:positions_get",
    "function:history_deals_get",
    "function:history_orders_get",
    "fields:TradeDeal",
    "fields:TradeOrder",
)
def test_modify_partial_close_and_close(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    info = mt5.symbol_info(symbol)
    _, position = _open(mt5, symbol, mt5.ORDER_TYPE_BUY, 0.2)
    sl = round(position.price_open - 500 * info.point, info.digits)
    tp = round(position.price_open + 500 * info.point, info.digits)
    modified = mt5.order_send(
        {
            "action": mt5.TRADE_ACTION_SLTP,
            "symbol": symbol,
            "position": position.ticket,
            "sl": sl,
            "tp": tp,
        }
    )
    assert modified is not None and modified.retcode == mt5.TRADE_RETCODE_DONE, modified
    (now,) = mt5.positions_get(ticket=position.ticket)
    assert (now.sl, now.tp) == (pytest.approx(sl), pytest.approx(tp))
    partial = _deal(mt5, symbol, mt5.ORDER_TYPE_SELL, 0.05, position=position.ticket)
    assert partial.retcode == mt5.TRADE_RETCODE_DONE, partial
    (now,) = mt5.positions_get(ticket=position.ticket)
    assert now.volume == pytest.approx(0.15)
    closed = _deal(mt5, symbol, mt5.ORDER_TYPE_SELL, 0.15, position=position.ticket)
    assert closed.retcode == mt5.TRADE_RETCODE_DONE, closed
    assert mt5.positions_get(ticket=position.ticket) == ()
    # History: the position's deals are one IN and two OUT, in time order.
    deals = mt5.history_deals_get(position=position.identifier)
    assert [d.entry for d in deals] == [mt5.DEAL_ENTRY_IN, mt5.DEAL_ENTRY_OUT, mt5.DEAL_ENTRY_OUT]
    assert sum(d.volume for d in deals[1:]) == pytest.approx(0.2)
    assert type(deals[0]).__name__ == "TradeDeal" and len(deals[0]) == 18
    # ticket= on deals is the ORDER ticket (API.md 9.8).
    by_order = mt5.history_deals_get(ticket=closed.order)
    assert [d.ticket for d in by_order] == [closed.deal]
    orders = mt5.history_orders_get(position=position.identifier)
    assert len(orders) == 3 and type(orders[0]).__name__ == "TradeOrder"
    assert all(o.state == mt5.ORDER_STATE_FILLED for o in orders)


@compat(
    "fields:TradePosition.magic",
    "fields:TradeOrder.magic",
    "fields:TradeDeal.magic",
    status="computed",
    note="the Web Terminal request has no magic field: the client remembers the magic of "
    "the trades it sent itself; trades from other clients show 0",
)
def test_magic_number_round_trips(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    result, position = _open(mt5, symbol, mt5.ORDER_TYPE_BUY)
    assert result.request.magic == MAGIC  # the echoed request always keeps it
    assert position.magic == MAGIC
    (deal,) = mt5.history_deals_get(ticket=result.order)
    assert deal.magic == MAGIC


@compat("function:order_send")
def test_close_by(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    account = mt5.account_info()
    if account.margin_mode != mt5.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING:
        pytest.skip("close-by needs a hedging account")
    _, buy = _open(mt5, symbol, mt5.ORDER_TYPE_BUY)
    _, sell = _open(mt5, symbol, mt5.ORDER_TYPE_SELL)
    result = mt5.order_send(
        {
            "action": mt5.TRADE_ACTION_CLOSE_BY,
            "symbol": symbol,
            "position": buy.ticket,
            "position_by": sell.ticket,
            "magic": MAGIC,
        }
    )
    assert result is not None and result.retcode == mt5.TRADE_RETCODE_DONE, result
    assert mt5.positions_get(ticket=buy.ticket) == ()
    assert mt5.positions_get(ticket=sell.ticket) == ()


@compat(
    "function:order_send",
    "function:orders_get",
    "function:orders_total",
    "function:history_orders_get",
    "fields:TradeOrder",
)
def test_pending_order_place_modify_remove(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    info = mt5.symbol_info(symbol)
    tick = mt5.symbol_info_tick(symbol)
    price = round(tick.bid - 1000 * info.point, info.digits)
    placed = mt5.order_send(
        {
            "action": mt5.TRADE_ACTION_PENDING,
            "symbol": symbol,
            "volume": 0.1,
            "type": mt5.ORDER_TYPE_BUY_LIMIT,
            "price": price,
            "magic": MAGIC,
            "comment": "compat",
            "type_filling": mt5.ORDER_FILLING_RETURN,
            "type_time": mt5.ORDER_TIME_GTC,
        }
    )
    assert placed is not None and placed.retcode == mt5.TRADE_RETCODE_PLACED, placed
    (order,) = mt5.orders_get(ticket=placed.order)
    assert type(order).__name__ == "TradeOrder" and len(order) == 24
    assert (order.type, order.price_open) == (mt5.ORDER_TYPE_BUY_LIMIT, pytest.approx(price))
    assert mt5.orders_total() >= 1
    assert order.ticket in [o.ticket for o in mt5.orders_get(symbol=symbol)]
    assert mt5.orders_get(ticket=2**62) == ()
    lower = round(price - 100 * info.point, info.digits)
    moved = mt5.order_send(
        {"action": mt5.TRADE_ACTION_MODIFY, "order": order.ticket, "price": lower, "symbol": symbol}
    )
    assert moved is not None and moved.retcode == mt5.TRADE_RETCODE_DONE, moved
    (order,) = mt5.orders_get(ticket=placed.order)
    assert order.price_open == pytest.approx(lower)
    removed = mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": order.ticket})
    assert removed is not None and removed.retcode == mt5.TRADE_RETCODE_DONE, removed
    assert mt5.orders_get(ticket=placed.order) == ()
    (history,) = mt5.history_orders_get(ticket=placed.order)
    assert history.state == mt5.ORDER_STATE_CANCELED


@compat(
    "function:history_deals_total",
    "function:history_orders_total",
    "function:history_deals_get",
    "function:history_orders_get",
)
def test_history_totals_match_getters_and_group(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    result, _ = _open(mt5, symbol, mt5.ORDER_TYPE_SELL)
    deals = mt5.history_deals_get(LONG_AGO, FAR_FUTURE)
    assert deals is not None and result.deal in [d.ticket for d in deals]
    assert mt5.history_deals_total(LONG_AGO, FAR_FUTURE) == len(deals)
    orders = mt5.history_orders_get(LONG_AGO, FAR_FUTURE)
    assert mt5.history_orders_total(LONG_AGO, FAR_FUTURE) == len(orders)
    mine = mt5.history_deals_get(LONG_AGO, FAR_FUTURE, group=symbol)
    assert {d.symbol for d in mine} == {symbol}
    assert mt5.history_deals_get(LONG_AGO, FAR_FUTURE, group="NO_SUCH*") == ()
    assert mt5.history_deals_get(LONG_AGO) is None
    assert mt5.last_error() == (-2, "Invalid arguments")
    assert mt5.history_deals_get(ticket=2**62) == ()


@compat(
    "function:Buy",
    "function:Close",
    "function:_RawOrder",
    "function:positions_get",
)
def test_buy_sell_close_helpers(trading: ModuleType, symbol: str) -> None:
    mt5 = trading
    bought = mt5.Buy(symbol, 0.1)
    assert bought is not None and bought.retcode == mt5.TRADE_RETCODE_DONE, bought
    (position,) = [p for p in mt5.positions_get(symbol=symbol) if p.identifier == bought.order]
    assert mt5.Close(symbol, ticket=position.ticket) is True
    assert mt5.positions_get(ticket=position.ticket) == ()


@compat("function:symbol_select")
def test_a_symbol_with_a_position_cannot_leave_market_watch(
    trading: ModuleType, symbol: str
) -> None:
    mt5 = trading
    _open(mt5, symbol, mt5.ORDER_TYPE_BUY)
    assert mt5.symbol_select(symbol, False) is False
    assert mt5.last_error()[0] < 0
    assert mt5.symbol_info(symbol).select is True
