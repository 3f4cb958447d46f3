"""Account command 3 and the account block it shares with push 14 (spec 3.3).

The block is always complete (the client replaces its whole account state with each push 14)
and always has one trade-settings entry (mask ``*``, all sentinels) because of the parser quirk
of spec 3.3 (a count of 0 shifts every later section). Equity, margin and floating profit are
not sent: the client computes them (spec 4.9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.account import AccountInfo, encode_account
from MetaTrader5.protocol.schemas.account import NEUTRAL_TRADE_SETTINGS, AccountHeader

from .handlers_common import SERVER_BUILD, Reply

if TYPE_CHECKING:
    from .handlers_common import ServerContext
    from .session import Handler, Session

__all__ = ["ACCOUNT_HANDLERS", "account_header", "encode_account_block"]

#: spec 3.3.1: account_type 1 = demo.
ACCOUNT_TYPE_DEMO = 1
#: spec 3.3.1 rights bits.
RIGHT_TRADE_DISABLED = 4
RIGHT_INVESTOR = 8
#: spec 4.9: margin_free_mode 1 = all floating profit/loss counts into free margin.
MARGIN_FREE_MODE = 1
PASSWORD_MIN = 8


def account_header(context: ServerContext, login: int, investor: bool) -> AccountHeader:
    """The 816-byte main header (spec 3.3.1) of ``login`` as seen by one session."""
    account = context.engine.account(login)
    timezone_shift, daylight_mode = context.clock.account_fields()
    rights = account.rights | (RIGHT_INVESTOR if investor else 0)
    values: dict[str, Any] = {
        "account_type": ACCOUNT_TYPE_DEMO,
        "rights": rights,
        "permissions_flags": 0,
        "balance": account.balance,
        "credit": account.credit,
        "currency": account.currency,
        "currency_digits": account.currency_digits,
        "leverage": account.leverage,
        "name": account.name,
        "server_build": SERVER_BUILD,
        "server_name": context.config.name,
        "company": context.config.company,
        "timezone_shift": timezone_shift,
        "daylight_mode": daylight_mode,
        "margin_mode": account.margin_mode,
        "margin_free_mode": MARGIN_FREE_MODE,
        "margin_so_call": account.margin_so_call,
        "margin_so_so": account.margin_so_so,
        "margin_so_mode": account.margin_so_mode,
        "margin_virtual": 0.0,
        "margin_free_profit_mode": 0,
        "acc_profit": 0.0,
        "commission_daily": account.commission_daily,
        "commission_monthly": account.commission_monthly,
        "password_min": PASSWORD_MIN,
        "otp_status": 1 if account.otp_secret else 0,
    }
    return AccountHeader(**values)


def encode_account_block(context: ServerContext, login: int, investor: bool = False) -> bytes:
    """The body of cmd 3 and push 14 (spec 3.3)."""
    account = context.engine.account(login)
    context.sent_money[login] = (account.balance, account.credit)
    return encode_account(
        AccountInfo(
            header=account_header(context, login, investor),
            # spec 3.3 quirk / 7.4: always one entry; mask "*" with sentinels changes nothing.
            trade_settings=(NEUTRAL_TRADE_SETTINGS,),
            trade_flags=0,
            symbols_count=len(context.catalog),
            leverage_flags=0,
        )
    )


async def handle_account(session: Session, payload: memoryview) -> Reply:
    """cmd 3 (spec 3.3)."""
    del payload
    if session.login is None:  # dispatch guarantees a login; keeps the type checker honest
        return Reply(3)
    return Reply(0, encode_account_block(session.context, session.login, session.investor))


ACCOUNT_HANDLERS: dict[int, Handler] = {Command.ACCOUNT: handle_account}
