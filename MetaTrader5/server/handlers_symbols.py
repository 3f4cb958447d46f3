"""Symbol commands: groups 9, symbol list 6, compressed list 34, full specifications 18.

Every answer is computed once per server from the immutable catalogue and cached (a symbol
list does not change while the server runs), so a login flood costs a dictionary lookup.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from MetaTrader5.protocol.commands import Command
from MetaTrader5.protocol.messages.symbols import (
    encode_full_symbols,
    encode_symbol_groups,
    encode_symbols,
    encode_symbols_compressed,
)
from MetaTrader5.protocol.schemas.account import TradeSettings
from MetaTrader5.protocol.schemas.symbols import FullSymbol, Subscription, SymbolRecord

from .handlers_common import Reply, read_id_list

if TYPE_CHECKING:
    from .catalog import Catalog
    from .session import Handler, Session
    from .symbols import SymbolSpec

__all__ = ["SYMBOL_HANDLERS", "symbol_list_record", "full_symbol_record", "trade_settings"]

_LOT = 100_000_000
#: Most ids we look up in one cmd 18 request (a real catalogue has a few thousand symbols).
MAX_IDS = 100_000


def _units(value: float) -> int:
    return round(value * _LOT)


def trade_settings(spec: SymbolSpec) -> TradeSettings:
    """The symbol's own 628-byte trade-settings block (spec 3.3.2)."""
    contract = spec.contract
    values: dict[str, Any] = {
        "symbol_path": spec.path,
        "spread_diff": 0,
        "spread_diff_balance": 0,
        "trade_mode": spec.trade_mode,
        "stops_level": spec.stops_level,
        "freeze_level": spec.freeze_level,
        "exemode": spec.exemode,
        "fill_flags": spec.fill_flags,
        "time_flags": spec.time_flags,
        "order_flags": spec.order_flags,
        "request_flags": 0,
        "request_timeout": 30,
        "instant_flags": 0,
        "instant_timeout": 7,
        "instant_slip_profit": 0,
        "instant_slip_losing": 0,
        "instant_volume": 0,
        "instant_checkmode": 0,
        "market_flags": 0,
        "exchange_flags": 0,
        "volume_min": _units(spec.volume_min),
        "volume_max": _units(spec.volume_max),
        "volume_step": _units(spec.volume_step),
        "volume_limit": _units(spec.volume_limit),
        "margin_flags": 4 if contract.margin_hedged_use_leg else 0,
        "margin_initial": contract.margin_initial,
        "margin_maintenance": contract.margin_maintenance,
        "margin_rates_initial": tuple(contract.margin_rates_initial),
        "margin_rates_maintenance": tuple(contract.margin_rates_maintenance),
        "margin_rate_liquidity": 0.0,
        "margin_hedged": contract.margin_hedged,
        "margin_rate_currency": 1.0,
        "swap_mode": spec.swap_mode,
        "swap_long": spec.swap_long,
        "swap_short": spec.swap_short,
        "swap_rollover3days": spec.swap_rollover3days,
        "permissions_flags": 1 if spec.book_depth > 0 else 0,
        "permissions_bookdepth": spec.book_depth,
        "swap_rates": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    }
    return TradeSettings(**values)


def symbol_list_record(spec: SymbolSpec) -> SymbolRecord:
    """The 526-byte symbol-list record (spec 3.4.2)."""
    return SymbolRecord(
        trade_symbol=spec.name,
        description=spec.description,
        digits=spec.digits,
        symbol_id=spec.symbol_id,
        path=spec.path,
        trade_calc_mode=spec.contract.calc_mode,
        basis=spec.basis,
        sector=spec.sector,
    )


def _sessions(days: tuple[tuple[tuple[int, int], ...], ...]) -> list[int]:
    """7 days x 16 (start, end) slots in minutes, unused slots (0, 0) (spec 3.4.4)."""
    out: list[int] = []
    for day in range(7):
        slots = list(days[day][:16]) if day < len(days) else []
        for start, end in slots + [(0, 0)] * (16 - len(slots)):
            out += (start, min(end, 0xFFFF))
    return out


def full_symbol_record(spec: SymbolSpec) -> FullSymbol:
    """The 3068-byte full-symbol record (spec 3.4.3) with its trade block and schedule."""
    contract = spec.contract
    values: dict[str, Any] = {
        "trade_symbol": spec.name,
        "isin": spec.isin,
        "description": spec.description,
        "international": spec.description,
        "basis": spec.basis,
        "source": "",
        "page": "",
        "category": spec.category,
        "exchange": spec.exchange,
        "cfi": "",
        "sector": spec.sector,
        "industry": 0,
        "country": "",
        "currency_base": contract.currency_base,
        "currency_profit": contract.currency_profit,
        "currency_margin": contract.currency_margin,
        "currency_base_digits": 2,
        "currency_profit_digits": 2,
        "currency_margin_digits": 2,
        "color": 0,
        "color_background": 0xFFFFFF,
        "digits": spec.digits,
        "point": spec.point,
        "multiply": 1.0,
        "symbol_id": spec.symbol_id,
        "ticks_flags": 0,
        "ticks_bookdepth": spec.book_depth,
        "ticks_chart_mode": spec.chart_mode,
        "trade_flags": 0,
        "spread": 0,  # floating spread
        "spread_balance": 0,
        "tick_value": contract.tick_value,
        "tick_size": contract.tick_size,
        "contract_size": contract.contract_size,
        "gtc_mode": spec.gtc_mode,
        "calc_mode": contract.calc_mode,
        "price_settle": contract.price_settle,
        "price_limit_min": 0.0,
        "price_limit_max": 0.0,
        "price_strike": 0.0,
        "option_mode": 0,
        "face_value": contract.face_value,
        "accrued_interest": contract.accrued_interest,
        "time_flags": 0,
        "time_start": 0,
        "time_expiration": 0,
        "trade": trade_settings(spec),
        "schedule": tuple(_sessions(spec.sessions.quote) + _sessions(spec.sessions.trade)),
        # spec 3.4.5: status 0 / level 0 = real-time data, not a delayed subscription.
        "subscription": Subscription(0, 0, 0, 0),
    }
    return FullSymbol(**values)


@functools.lru_cache(maxsize=8)
def _groups_body(catalog: Catalog) -> bytes:
    return encode_symbol_groups(list(catalog.groups()))


@functools.lru_cache(maxsize=8)
def _symbols_body(catalog: Catalog) -> bytes:
    return encode_symbols([symbol_list_record(spec) for spec in catalog.symbols])


@functools.lru_cache(maxsize=8)
def _compressed_body(catalog: Catalog) -> bytes:
    return encode_symbols_compressed([symbol_list_record(spec) for spec in catalog.symbols])


@functools.lru_cache(maxsize=8)
def _full_records(catalog: Catalog) -> dict[int, FullSymbol]:
    return {spec.symbol_id: full_symbol_record(spec) for spec in catalog.symbols}


async def handle_groups(session: Session, payload: memoryview) -> Reply:
    """cmd 9 (spec 3.4.1)."""
    del payload
    return Reply(0, _groups_body(session.context.catalog))


async def handle_symbols(session: Session, payload: memoryview) -> Reply:
    """cmd 6 (spec 3.4.2)."""
    del payload
    return Reply(0, _symbols_body(session.context.catalog))


async def handle_symbols_compressed(session: Session, payload: memoryview) -> Reply:
    """cmd 34 (spec 3.4.2): 4-byte length + zlib stream of the cmd 6 body."""
    del payload
    return Reply(0, _compressed_body(session.context.catalog))


async def handle_full_symbols(session: Session, payload: memoryview) -> Reply:
    """cmd 18 (spec 3.4.3): the requested ids that exist, in request order (unknown skipped)."""
    ids = read_id_list(payload, MAX_IDS)
    records = _full_records(session.context.catalog)
    found = [records[i] for i in dict.fromkeys(ids) if i in records]
    return Reply(0, encode_full_symbols(found))


SYMBOL_HANDLERS: dict[int, Handler] = {
    Command.SYMBOL_GROUPS: handle_groups,
    Command.SYMBOLS: handle_symbols,
    Command.SYMBOLS_COMPRESSED: handle_symbols_compressed,
    Command.FULL_SYMBOLS: handle_full_symbols,
}
