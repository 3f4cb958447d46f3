"""The official C docstrings of the 32 functions, verbatim (mt5_api.json ``c_docstring``).

Kept apart from ``terminal`` because it is data: ``__doc__`` of every module function and
``Terminal`` method is set from this table.
"""

from __future__ import annotations

from typing import Final

__all__ = ["OFFICIAL_DOCSTRINGS"]

#: ``__doc__`` of each official function: the C docstring, verbatim (mt5_api.json).
OFFICIAL_DOCSTRINGS: Final[dict[str, str]] = {
    "initialize": (
        'initialize([path],[server="SERVER"],[login=LOGIN],[password="PASSWORD"])\n\n'
        "Establish connection to MetaTrader 5 terminal"
    ),
    "login": ('login(login,[server="SERVER"],[password="PASSWORD"])\n\nLog in to specific account'),
    "shutdown": "shutdown()\n\nDisconnect from MetaTrader 5 terminal",
    "version": "version()\n\nGet MetaTrader 5 terminal version",
    "last_error": "last_error()\n\nReturn last error code and description",
    "account_info": "account_info()\n\nReturn information on the current account",
    "terminal_info": "terminal_info()\n\nGet parameters of MetaTrader 5 terminal",
    "symbols_total": "symbols_total()\n\nReturn the number of all available symbols",
    "symbols_get": (
        'symbols_get([group="GROUP"])\n\nReturn all available symbols or filtred by group'
    ),
    "symbol_info": "symbol_info(symbol)\n\nReturn full information for specified symbol",
    "symbol_info_tick": "symbol_info_tick(symbol)\n\nReturn current prices of specified symbol",
    "symbol_select": (
        "symbol_select(symbol,[enable])\n\n"
        "Select symbol in Market Watch window or remove symbol from the window"
    ),
    "market_book_add": "market_book_add(symbol)\n\nOpens Depth of Market for a selected symbol",
    "market_book_get": (
        "market_book_get(symbol)\n\nReturns Depth of Market structures of a specified symbol"
    ),
    "market_book_release": (
        "market_book_release(symbol)\n\nCloses Depth of Market for a selected symbol"
    ),
    "copy_rates_from": (
        "copy_rates_from(symbol, timeframe, date_from, count)\n\n"
        "Get bars starting from specific date"
    ),
    "copy_rates_from_pos": (
        "copy_rates_from_pos(symbol, timeframe, start_pos, count)\n\n"
        "Get bars starting from specified position"
    ),
    "copy_rates_range": (
        "copy_rates_range(symbol, timeframe, date_from, date_to)\n\nGet bars from specified period"
    ),
    "copy_ticks_from": (
        "copy_ticks_from(symbol, date_from, count, flags)\n\nGet ticks starting from specific date"
    ),
    "copy_ticks_range": (
        "copy_ticks_range(symbol, date_from, date_to, flags)\n\nGet ticks from specified period"
    ),
    "orders_total": "orders_total()\n\nReturn the number of orders",
    "orders_get": (
        'orders_get([symbol="SYMBOL"],[ticket=TICKET],[group="GROUP"])\n\n'
        "Return all orders, can be filtered by symbol, group or ticket"
    ),
    "order_calc_margin": (
        "order_calc_margin(action, symbol, volume, price,)\n\n"
        "Calculate margin required for specified order"
    ),
    "order_calc_profit": (
        "order_calc_profit(action, symbol, volume, price_open, price_close)\n\n"
        "Calculate profit for the current account in the current market conditions based on "
        "parameters passed"
    ),
    "order_check": (
        "order_check(request)\n\n"
        "Check if there are enough funds to execute required trading operation"
    ),
    "order_send": "order_send(request)\n\nSend trading requests to server",
    "positions_total": "positions_total()\n\nReturn the number of open positions",
    "positions_get": (
        'positions_get([symbol="SYMBOL"],[ticket=TICKET],[group="GROUP"])\n\n'
        "Return all open positions, can be filtered by symbol, group or ticket"
    ),
    "history_orders_total": (
        "history_orders_total(date_from, date_to)\n\n"
        "Return the number of orders in selected range from history"
    ),
    "history_orders_get": (
        'history_orders_get([date_from, date_to, [group="GROUP"]],[position=POSITION],'
        "[ticket=TICKET])\n\n"
        "Return orders in selected range from history or filtered by position id, ticket"
    ),
    "history_deals_total": (
        "history_deals_total(date_from, date_to)\n\n"
        "Return the number of deals in selected range from history"
    ),
    "history_deals_get": (
        'history_deals_get([date_from, date_to, [group="GROUP"]],[position=POSITION],'
        "[ticket=TICKET])\n\n"
        "Return deals in selected range from history or filtered by position id, ticket"
    ),
}
