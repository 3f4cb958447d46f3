"""A pending-order grid around the price, with trailing stops on the positions it opens.

Written for the official MetaTrader5 package; on any OS run it unchanged with::

    python -m MetaTrader5 run examples/grid_trailing.py [ROUNDS]

It places BUY STOP orders above and SELL STOP orders below the current price, LEVELS of each
STEP points apart, every one with a stop loss and a take profit. Then, once a second for
ROUNDS rounds, it moves the stop loss of every position the grid opened towards the price
(a trailing stop: never backwards, TRAIL points behind the price, and only when it moves by
at least a point). So that the trailing has work to do even in a quiet market, it also opens
one market BUY at the start, without a stop loss. At the end it removes the orders left and
closes the positions, so the account is left as it was found. The orders are recognised by
their comment, since a Web Terminal cannot set the magic number.
"""

import sys
import time

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs

SYMBOL = "EURUSD"
VOLUME = 0.01
LEVELS = 3  # orders on each side
STEP = 15  # points between grid levels (must exceed the symbol's stop level)
TRAIL = 20  # points between the price and a trailing stop loss
TARGET = 60  # take profit distance, points
COMMENT = "grid"
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 6


def place_grid(info: mt5.SymbolInfo, tick: mt5.Tick) -> list[int]:
    """Place LEVELS stop orders on each side of the price; return their tickets."""
    point, digits = info.point, info.digits
    step = max(STEP, info.trade_stops_level + 1) * point
    tickets = []
    for level in range(1, LEVELS + 1):
        for order_type, price, sign in (
            (mt5.ORDER_TYPE_BUY_STOP, tick.ask + level * step, 1),
            (mt5.ORDER_TYPE_SELL_STOP, tick.bid - level * step, -1),
        ):
            request: dict[str, int | float | str] = {
                "action": mt5.TRADE_ACTION_PENDING,
                "symbol": SYMBOL,
                "volume": VOLUME,
                "type": order_type,
                "price": round(price, digits),
                "sl": round(price - sign * TRAIL * point, digits),
                "tp": round(price + sign * TARGET * point, digits),
                "type_time": mt5.ORDER_TIME_GTC,
                "type_filling": mt5.ORDER_FILLING_RETURN,
                "comment": COMMENT,
            }
            result = mt5.order_send(request)
            if result is None:
                print("order_send failed:", mt5.last_error())
            elif result.retcode != mt5.TRADE_RETCODE_PLACED:
                print(f"  order rejected: {result.retcode} {result.comment}")
            else:
                side = "BUY STOP " if sign > 0 else "SELL STOP"
                print(f"  placed {side} #{result.order} at {request['price']}")
                tickets.append(result.order)
    return tickets


def open_market_buy(tick: mt5.Tick) -> None:
    """The position the trailing stop starts on (no stop loss yet)."""
    result = mt5.order_send(
        {
            "action": mt5.TRADE_ACTION_DEAL,
            "symbol": SYMBOL,
            "volume": VOLUME,
            "type": mt5.ORDER_TYPE_BUY,
            "price": tick.ask,
            "deviation": 20,
            "type_filling": mt5.ORDER_FILLING_IOC,
            "comment": COMMENT,
        }
    )
    if result is None or result.retcode != mt5.TRADE_RETCODE_DONE:
        print("market BUY failed:", result.comment if result else mt5.last_error())
    else:
        print(f"  bought {VOLUME} {SYMBOL} at {result.price} (position #{result.order})")


def grid_positions() -> tuple[mt5.TradePosition, ...]:
    positions = mt5.positions_get(symbol=SYMBOL)
    return tuple(p for p in positions or () if p.comment == COMMENT)


def trail(position: mt5.TradePosition, info: mt5.SymbolInfo, tick: mt5.Tick) -> None:
    """Move the stop loss TRAIL points behind the price, never backwards."""
    point, digits = info.point, info.digits
    buy = position.type == mt5.POSITION_TYPE_BUY
    wanted = round((tick.bid - TRAIL * point) if buy else (tick.ask + TRAIL * point), digits)
    better = wanted > position.sl if buy else (position.sl == 0 or wanted < position.sl)
    if not better or abs(wanted - position.sl) < point / 2:
        return
    result = mt5.order_send(
        {
            "action": mt5.TRADE_ACTION_SLTP,
            "symbol": SYMBOL,
            "position": position.ticket,
            "sl": wanted,
            "tp": position.tp,
        }
    )
    if result is not None and result.retcode == mt5.TRADE_RETCODE_DONE:
        print(f"  trailed #{position.ticket}: sl {position.sl} -> {wanted}")
    elif result is not None:
        print(f"  trail of #{position.ticket} rejected: {result.retcode} {result.comment}")


def clean_up() -> None:
    """Remove the grid's orders left and close its positions."""
    for order in mt5.orders_get(symbol=SYMBOL) or ():
        if order.comment == COMMENT:
            mt5.order_send({"action": mt5.TRADE_ACTION_REMOVE, "order": order.ticket})
    for position in grid_positions():
        mt5.Close(SYMBOL, ticket=position.ticket)
    print(f"removed the grid; open positions {len(grid_positions())}")


def main() -> int:
    if not mt5.initialize():
        print("initialize() failed:", mt5.last_error())
        return 1
    if not mt5.symbol_select(SYMBOL, True):
        print("symbol_select failed:", mt5.last_error())
        mt5.shutdown()
        return 1
    info, tick = mt5.symbol_info(SYMBOL), mt5.symbol_info_tick(SYMBOL)
    if info is None or tick is None:
        print("no symbol data:", mt5.last_error())
        mt5.shutdown()
        return 1
    print(f"grid of {2 * LEVELS} orders around {SYMBOL} {tick.bid}/{tick.ask}")
    tickets = place_grid(info, tick)
    open_market_buy(tick)
    for round_number in range(1, ROUNDS + 1):
        time.sleep(1.0)
        tick = mt5.symbol_info_tick(SYMBOL)
        if tick is None:
            continue
        waiting = sum(1 for o in mt5.orders_get(symbol=SYMBOL) or () if o.ticket in tickets)
        positions = grid_positions()
        print(f"round {round_number}/{ROUNDS}: bid {tick.bid}, "
              f"{waiting} orders waiting, {len(positions)} positions")  # fmt: skip
        for position in positions:
            trail(position, info, tick)
    clean_up()
    mt5.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
