"""Typed bodies of every request, response and push, with symmetric encode_*/decode_*.

The server encodes responses/pushes and decodes requests; the client does the reverse, with
the same functions. ``REQUEST_DECODERS``, ``RESPONSE_DECODERS`` and ``PUSH_DECODERS`` map a
command id to its decoder (h11 style: behaviour as tables).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..codec import Buffer
from ..commands import Command
from .account import *  # noqa: F403
from .account import __all__ as _account
from .account import decode_account
from .auth import *  # noqa: F403
from .auth import __all__ as _auth
from .auth import (
    decode_change_password_request,
    decode_change_password_response,
    decode_init_request,
    decode_login_request,
    decode_login_response,
    decode_otp_setup_request,
)
from .market import *  # noqa: F403
from .market import __all__ as _market
from .market import (
    decode_bars,
    decode_book,
    decode_rates_request,
    decode_spreads,
    decode_symbol_details,
    decode_ticks,
)
from .onboarding import *  # noqa: F403
from .onboarding import __all__ as _onboarding
from .onboarding import (
    decode_corporate_links,
    decode_notify_request,
    decode_open_account_response,
    decode_open_demo_request,
    decode_open_real_request,
    decode_submit_codes_request,
    decode_trader_params,
    decode_verify_codes_request,
    decode_verify_response,
)
from .session import *  # noqa: F403
from .session import __all__ as _session
from .session import (
    decode_bootstrap_request,
    decode_bootstrap_response,
    decode_empty,
    decode_id_list,
    decode_u32,
)
from .symbols import *  # noqa: F403
from .symbols import __all__ as _symbols
from .symbols import (
    decode_full_symbols,
    decode_symbol_groups,
    decode_symbol_update,
    decode_symbols,
    decode_symbols_compressed,
)
from .trading import *  # noqa: F403
from .trading import __all__ as _trading
from .trading import (
    decode_history,
    decode_history_request,
    decode_positions_orders,
    decode_trade_request,
    decode_trade_response,
    decode_trade_result,
    decode_trade_update,
)

Decoder = Callable[[Buffer], Any]

#: command -> decoder of the request payload (used by the server).
REQUEST_DECODERS: dict[int, Decoder] = {
    Command.BOOTSTRAP: decode_bootstrap_request,
    Command.LOGOUT: decode_empty,
    Command.ACCOUNT: decode_empty,
    Command.POSITIONS_ORDERS: decode_empty,
    Command.TRADE_HISTORY: decode_history_request,
    Command.SYMBOLS: decode_empty,
    Command.SUBSCRIBE_TICKS: decode_id_list,
    Command.SYMBOL_GROUPS: decode_empty,
    Command.RATES: decode_rates_request,
    Command.TRADE_REQUEST: decode_trade_request,
    Command.FULL_SYMBOLS: decode_id_list,
    Command.MARGIN_SPREADS: decode_id_list,
    Command.SUBSCRIBE_BOOK: decode_id_list,
    Command.CHANGE_PASSWORD: decode_change_password_request,
    Command.VERIFY_CODES: decode_verify_codes_request,
    Command.LOGIN: decode_login_request,
    Command.INIT: decode_init_request,
    Command.OPEN_DEMO: decode_open_demo_request,
    Command.SYMBOLS_COMPRESSED: decode_empty,
    Command.OPEN_REAL: decode_open_real_request,
    Command.SUBMIT_CODES: decode_submit_codes_request,
    Command.TRADER_PARAMS: decode_empty,
    Command.NOTIFY: decode_notify_request,
    Command.OTP_SETUP: decode_otp_setup_request,
    Command.CORPORATE_LINKS: decode_empty,
    Command.PING: decode_empty,
}

#: command -> decoder of the response body (used by the client).
RESPONSE_DECODERS: dict[int, Decoder] = {
    Command.BOOTSTRAP: decode_bootstrap_response,
    Command.LOGOUT: decode_empty,
    Command.ACCOUNT: decode_account,
    Command.POSITIONS_ORDERS: decode_positions_orders,
    Command.TRADE_HISTORY: decode_history,
    Command.SYMBOLS: decode_symbols,
    Command.SUBSCRIBE_TICKS: decode_empty,
    Command.SYMBOL_GROUPS: decode_symbol_groups,
    Command.RATES: decode_bars,
    Command.TRADE_REQUEST: decode_trade_response,
    Command.FULL_SYMBOLS: decode_full_symbols,
    Command.MARGIN_SPREADS: decode_spreads,
    Command.SUBSCRIBE_BOOK: decode_empty,
    Command.CHANGE_PASSWORD: decode_change_password_response,
    Command.VERIFY_CODES: decode_verify_response,
    Command.LOGIN: decode_login_response,
    Command.INIT: decode_empty,
    Command.OPEN_DEMO: decode_open_account_response,
    Command.SYMBOLS_COMPRESSED: decode_symbols_compressed,
    Command.OPEN_REAL: decode_open_account_response,
    Command.SUBMIT_CODES: decode_verify_response,
    Command.TRADER_PARAMS: decode_trader_params,
    Command.NOTIFY: decode_empty,
    Command.OTP_SETUP: decode_empty,
    Command.CORPORATE_LINKS: decode_corporate_links,
    Command.PING: decode_empty,
}

#: push id -> decoder of the push body (used by the client).
PUSH_DECODERS: dict[int, Decoder] = {
    Command.TICKS: decode_ticks,
    Command.TRADE_UPDATE: decode_trade_update,
    Command.SYMBOL_UPDATE: decode_symbol_update,
    Command.ACCOUNT_UPDATE: lambda body: decode_account(body, "push 14 account"),
    Command.TRADE_SERVER_STATE: lambda body: decode_u32(body, "push 15 state"),
    Command.SYMBOL_DETAILS: decode_symbol_details,
    Command.TRADE_RESULT: decode_trade_result,
    Command.MARGIN_SPREADS: decode_spreads,
    Command.BOOK: decode_book,
}

__all__ = [  # noqa: PLE0604
    *_account, *_auth, *_market, *_onboarding, *_session, *_symbols, *_trading,
    "Decoder", "REQUEST_DECODERS", "RESPONSE_DECODERS", "PUSH_DECODERS",
]  # fmt: skip
