"""Prices, a trade and the account history as pandas DataFrames (the official docs' idioms).

Runs unchanged against the official package, or on any OS with::

    python -m MetaTrader5 run examples/history_report.py
"""

import sys
from datetime import datetime, timedelta

import pandas as pd

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs

SYMBOL = "EURUSD"

pd.set_option("display.max_columns", 12)
pd.set_option("display.width", 160)


def main() -> int:
    if not mt5.initialize():
        print("initialize() failed, error code =", mt5.last_error())
        return 1
    terminal = mt5.terminal_info()
    print(terminal.name if terminal else "?", mt5.version())
    mt5.symbol_select(SYMBOL, True)

    rates = mt5.copy_rates_from_pos(SYMBOL, mt5.TIMEFRAME_H1, 0, 24)
    rates_frame = pd.DataFrame(rates)
    rates_frame["time"] = pd.to_datetime(rates_frame["time"], unit="s")
    print(f"last 24 H1 bars of {SYMBOL}:")
    print(rates_frame.tail(5))

    tick = mt5.symbol_info_tick(SYMBOL)
    if tick is None:
        print("no price:", mt5.last_error())
        mt5.shutdown()
        return 1
    request = {
        "action": mt5.TRADE_ACTION_DEAL,
        "symbol": SYMBOL,
        "volume": 0.1,
        "type": mt5.ORDER_TYPE_BUY,
        "price": tick.ask,
        "deviation": 10,
        "magic": 42,
        "comment": "history report",
        "type_time": mt5.ORDER_TIME_GTC,
        "type_filling": mt5.ORDER_FILLING_FOK,
    }
    result = mt5.order_send(request)
    if result is None:
        print("order_send() failed:", mt5.last_error())
        mt5.shutdown()
        return 1
    print("order_send:", result.retcode, result.comment, "deal", result.deal)
    print(result._asdict()["request"]._asdict())

    positions = mt5.positions_get(symbol=SYMBOL)
    if positions:
        frame = pd.DataFrame(list(positions), columns=positions[0]._asdict().keys())
        frame["time"] = pd.to_datetime(frame["time"], unit="s")
        print(frame[["ticket", "time", "type", "volume", "price_open", "profit", "symbol"]])
    # Close the position this script opened (on a hedging account its ticket is the order's).
    print("close:", mt5.Close(SYMBOL, ticket=result.order))

    date_from = datetime.now() - timedelta(days=1)
    date_to = datetime.now() + timedelta(days=1)
    deals = mt5.history_deals_get(date_from, date_to)
    print("deals in the last day:", mt5.history_deals_total(date_from, date_to))
    if deals:
        frame = pd.DataFrame(list(deals), columns=deals[0]._asdict().keys())
        frame["time"] = pd.to_datetime(frame["time"], unit="s")
        print(frame[["ticket", "order", "time", "type", "entry", "volume", "price", "profit"]])
    mt5.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
