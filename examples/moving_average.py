"""Moving-average crossover on EURUSD M1, written for the official MetaTrader5 package.

Nothing here is specific to mt5web: on Windows it runs against a MetaTrader 5 terminal; on
any OS it runs unchanged with::

    python -m MetaTrader5 run examples/moving_average.py

which connects ``initialize()`` to the embedded simulator (or ``--url`` / ``MT5WEB_URL``).

The strategy is deliberately small and bounded: a few iterations, one position at most,
long when the fast average is above the slow one and short otherwise, and every position it
opened is closed before it exits. It recognises its positions by the tickets it opened
rather than by magic number, because a Web Terminal cannot set the magic number.
"""

import sys
import time

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs

SYMBOL = "EURUSD"
TIMEFRAME = mt5.TIMEFRAME_M1
FAST, SLOW = 5, 20
VOLUME = 0.1
MAGIC = 240_531
ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
PAUSE_SECONDS = 1.0
OPENED: set[int] = set()  # position identifiers this run opened


def filling_mode(symbol: str) -> int:
    """An order filling type the symbol allows (its filling_mode is a bit mask)."""
    info = mt5.symbol_info(symbol)
    if info is not None and info.filling_mode & 1:
        return mt5.ORDER_FILLING_FOK
    if info is not None and info.filling_mode & 2:
        return mt5.ORDER_FILLING_IOC
    return mt5.ORDER_FILLING_RETURN


def wanted_side() -> int:
    """+1 (long) when the fast average is above the slow one, -1 otherwise."""
    rates = mt5.copy_rates_from_pos(SYMBOL, TIMEFRAME, 0, SLOW)
    if rates is None or len(rates) < SLOW:
        print("not enough bars:", mt5.last_error())
        return 0
    closes = rates["close"]
    fast, slow = float(closes[-FAST:].mean()), float(closes.mean())
    print(f"  close={closes[-1]:.5f} fast MA={fast:.5f} slow MA={slow:.5f}")
    return 1 if fast > slow else -1


def my_positions() -> tuple[mt5.TradePosition, ...]:
    positions = mt5.positions_get(symbol=SYMBOL)
    if positions is None:
        print("positions_get failed:", mt5.last_error())
        return ()
    return tuple(p for p in positions if p.identifier in OPENED)


def send(
    order_type: int, volume: float, position: int = 0, comment: str = "ma crossover"
) -> mt5.OrderSendResult | None:
    tick = mt5.symbol_info_tick(SYMBOL)
    if tick is None:
        print("no price:", mt5.last_error())
        return None
    price = tick.ask if order_type == mt5.ORDER_TYPE_BUY else tick.bid
    request: dict[str, int | float | str] = {
        "action": mt5.TRADE_ACTION_DEAL,
        "symbol": SYMBOL,
        "volume": volume,
        "type": order_type,
        "price": price,
        "deviation": 20,
        "magic": MAGIC,
        "comment": comment,
        "type_time": mt5.ORDER_TIME_GTC,
        "type_filling": filling_mode(SYMBOL),
    }
    if position:
        request["position"] = position
    result = mt5.order_send(request)
    if result is None:
        print("order_send failed:", mt5.last_error())
    elif result.retcode != mt5.TRADE_RETCODE_DONE:
        print(f"  order rejected: retcode={result.retcode} {result.comment}")
    else:
        side = "BUY" if order_type == mt5.ORDER_TYPE_BUY else "SELL"
        print(f"  {side} {result.volume} {SYMBOL} at {result.price} (deal {result.deal})")
        if not position:
            OPENED.add(result.order)  # a hedging position's id is its opening order
    return result


def close(position: mt5.TradePosition) -> mt5.OrderSendResult | None:
    opposite = mt5.ORDER_TYPE_SELL if position.type == mt5.POSITION_TYPE_BUY else mt5.ORDER_TYPE_BUY
    print(f"  closing position {position.ticket} (profit {position.profit:.2f})")
    return send(opposite, position.volume, position.ticket, "ma close")


def main() -> int:
    if not mt5.initialize():
        print("initialize() failed:", mt5.last_error())
        return 1
    account = mt5.account_info()
    if account is None:
        print("account_info() failed:", mt5.last_error())
        mt5.shutdown()
        return 1
    print(
        f"account {account.login} on {account.server}, balance {account.balance:.2f} "
        f"{account.currency}"
    )
    if not mt5.symbol_select(SYMBOL, True):
        print("symbol_select failed:", mt5.last_error())
        mt5.shutdown()
        return 1
    for iteration in range(1, ITERATIONS + 1):
        print(f"iteration {iteration}/{ITERATIONS}")
        side = wanted_side()
        held = my_positions()
        for position in held:
            held_side = 1 if position.type == mt5.POSITION_TYPE_BUY else -1
            if held_side != side:
                close(position)
        if side and not any(
            (1 if p.type == mt5.POSITION_TYPE_BUY else -1) == side for p in my_positions()
        ):
            send(mt5.ORDER_TYPE_BUY if side > 0 else mt5.ORDER_TYPE_SELL, VOLUME)
        time.sleep(PAUSE_SECONDS)
    for position in my_positions():
        close(position)
    account = mt5.account_info()
    balance = account.balance if account is not None else float("nan")
    print(f"done: balance {balance:.2f}, open positions {mt5.positions_total()}")
    mt5.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
