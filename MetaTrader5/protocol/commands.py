"""Command ids (spec 3.1) and the tables that classify them.

The official transport only sends ids of the allow-list; the extension ids (ours, see
``extension.py``) are outside it on purpose and only valid once the server announced them.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Command", "ALLOWED_COMMANDS", "PUSH_ONLY_COMMANDS", "EXTENSION_COMMANDS", "is_allowed"]


class Command(IntEnum):
    """Every command id of spec 3.1, plus our extension ids."""

    BOOTSTRAP = 0
    LOGOUT = 2
    ACCOUNT = 3
    POSITIONS_ORDERS = 4
    TRADE_HISTORY = 5
    SYMBOLS = 6
    SUBSCRIBE_TICKS = 7
    TICKS = 8
    SYMBOL_GROUPS = 9
    TRADE_UPDATE = 10
    RATES = 11
    TRADE_REQUEST = 12
    SYMBOL_UPDATE = 13
    ACCOUNT_UPDATE = 14
    TRADE_SERVER_STATE = 15
    SYMBOL_DETAILS = 17
    FULL_SYMBOLS = 18
    TRADE_RESULT = 19
    MARGIN_SPREADS = 20
    RESERVED_21 = 21
    SUBSCRIBE_BOOK = 22
    BOOK = 23
    CHANGE_PASSWORD = 24
    RESERVED_25 = 25
    VERIFY_CODES = 27
    LOGIN = 28
    INIT = 29
    OPEN_DEMO = 30
    RESERVED_33 = 33
    SYMBOLS_COMPRESSED = 34
    RESERVED_37 = 37
    OPEN_REAL = 39
    SUBMIT_CODES = 40
    TRADER_PARAMS = 41
    NOTIFY = 42
    OTP_SETUP = 43
    CORPORATE_LINKS = 44
    RESERVED_50 = 50
    PING = 51
    RESERVED_52 = 52
    RESERVED_100 = 100
    RESERVED_101 = 101
    RESERVED_102 = 102
    RESERVED_103 = 103
    RESERVED_104 = 104
    RESERVED_105 = 105
    RESERVED_106 = 106
    RESERVED_107 = 107
    RESERVED_108 = 108
    RESERVED_109 = 109
    RESERVED_110 = 110
    RESERVED_111 = 111
    RESERVED_112 = 112
    # ours, NOT part of the real protocol (extension.py)
    EXTENSION_HELLO = 30001
    EXTENSION_TICK_HISTORY = 30002


#: spec 3.1 [JS]: the only ids the official transport will send or accept.
ALLOWED_COMMANDS: frozenset[int] = frozenset(
    [
        *(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24),
        *(25, 27, 28, 29, 30, 33, 34, 37, 39, 40, 41, 42, 43, 44, 50, 51, 52),
        *range(100, 113),
    ]
)

#: spec 1.6 [JS]: ids only ever pushed by the server (20 is both request and push).
PUSH_ONLY_COMMANDS: frozenset[int] = frozenset({8, 10, 13, 14, 15, 17, 19, 23})

#: Our extension ids (never sent unless the server announced them).
EXTENSION_COMMANDS: frozenset[int] = frozenset(
    {Command.EXTENSION_HELLO, Command.EXTENSION_TICK_HISTORY}
)


def is_allowed(command: int) -> bool:
    """True if ``command`` is in the official allow-list (spec 3.1)."""
    return command in ALLOWED_COMMANDS
