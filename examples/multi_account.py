"""Two accounts in one process: one ``MetaTrader5.Terminal`` per account.

The module functions (``mt5.initialize()``, ``mt5.order_send()``, ...) drive one account.
mt5web's ``Terminal`` class has the same methods, each object with its own connection and
its own ``last_error()``, so one script can watch or trade several accounts::

    python -m MetaTrader5 run examples/multi_account.py

Against the embedded simulator it uses the two accounts of ``examples/two_accounts.toml``
(a hedging USD account and a netting EUR account), setting ``MT5WEB_SIM_CONFIG`` to that
file unless it is already set. Against a broker (``--url`` or ``MT5WEB_URL``) give the two
accounts as ``LOGIN:PASSWORD`` arguments. ``Terminal`` is an mt5web extra: this script does
not run on the official package.
"""

import os
import sys
import tomllib
from pathlib import Path

import MetaTrader5 as mt5  # noqa: N813 - the idiom of the official docs

SYMBOL = "EURUSD"
CONFIG = Path(__file__).with_name("two_accounts.toml")


def accounts_from_arguments() -> list[tuple[int, str]]:
    """``LOGIN:PASSWORD`` arguments, else the accounts of the bundled simulator config."""
    if len(sys.argv) > 1:
        pairs = [arg.split(":", 1) for arg in sys.argv[1:]]
        return [(int(login), password) for login, password in pairs]
    os.environ.setdefault("MT5WEB_SIM_CONFIG", str(CONFIG))
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    return [(int(a["login"]), str(a["password"])) for a in config["account"]]


def describe(name: str, terminal: mt5.Terminal) -> None:
    account = terminal.account_info()
    if account is None:
        print(f"{name}: account_info failed: {terminal.last_error()}")
        return
    mode = {
        mt5.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING: "hedging",
        mt5.ACCOUNT_MARGIN_MODE_RETAIL_NETTING: "netting",
    }.get(account.margin_mode, "exchange")
    print(
        f"{name}: account {account.login} ({account.name}), {mode}, 1:{account.leverage}, "
        f"balance {account.balance:.2f} {account.currency}, equity {account.equity:.2f}, "
        f"positions {terminal.positions_total()}"
    )


def buy_and_close(name: str, terminal: mt5.Terminal, volume: float) -> None:
    """Open a small position on one account and close it again."""
    tick = terminal.symbol_info_tick(SYMBOL)
    if tick is None:
        print(f"{name}: no price: {terminal.last_error()}")
        return
    result = terminal.order_send(
        {
            "action": mt5.TRADE_ACTION_DEAL,
            "symbol": SYMBOL,
            "volume": volume,
            "type": mt5.ORDER_TYPE_BUY,
            "price": tick.ask,
            "deviation": 20,
            "type_filling": mt5.ORDER_FILLING_IOC,
            "comment": "multi-account",
        }
    )
    if result is None or result.retcode != mt5.TRADE_RETCODE_DONE:
        print(f"{name}: buy failed: {result.comment if result else terminal.last_error()}")
        return
    print(f"{name}: bought {volume} {SYMBOL} at {result.price}")
    margin = terminal.order_calc_margin(mt5.ORDER_TYPE_BUY, SYMBOL, volume, tick.ask)
    account = terminal.account_info()
    if account is not None and margin is not None:
        print(f"{name}: margin {account.margin:.2f} {account.currency} (calc {margin:.2f})")
    for position in terminal.positions_get(symbol=SYMBOL) or ():
        if position.comment == "multi-account":
            closing = terminal.symbol_info_tick(SYMBOL)
            if closing is None:
                continue
            terminal.order_send(
                {
                    "action": mt5.TRADE_ACTION_DEAL,
                    "symbol": SYMBOL,
                    "volume": position.volume,
                    "type": mt5.ORDER_TYPE_SELL,
                    "position": position.ticket,
                    "price": closing.bid,
                    "deviation": 20,
                    "type_filling": mt5.ORDER_FILLING_IOC,
                    "comment": "multi-account",
                }
            )


def main() -> int:
    accounts = accounts_from_arguments()
    if len(accounts) < 2:
        print("give two accounts as LOGIN:PASSWORD")
        return 2
    (login_a, password_a), (login_b, password_b) = accounts[:2]
    with mt5.Terminal() as first, mt5.Terminal() as second:
        if not first.initialize(login=login_a, password=password_a):
            print("first account: initialize failed:", first.last_error())
            return 1
        if not second.initialize(login=login_b, password=password_b):
            print("second account: initialize failed:", second.last_error())
            return 1
        for terminal in (first, second):
            terminal.symbol_select(SYMBOL, True)
        describe("first ", first)
        describe("second", second)
        buy_and_close("first ", first, 0.1)
        buy_and_close("second", second, 0.2)
        describe("first ", first)
        describe("second", second)
        # Each Terminal keeps its own last_error(): a failure on one leaves the other alone.
        first.symbol_info("NO_SUCH_SYMBOL")
        print("last_error:", "first", first.last_error(), "second", second.last_error())
    return 0


if __name__ == "__main__":
    sys.exit(main())
