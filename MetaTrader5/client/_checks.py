"""The terminal's local pre-checks of a trade request (spec 3.7.1 "local check").

Each failure raises :class:`ValidationError` naming the field, saying why, and carrying the
TRADE_RETCODE_* the terminal reports: volume 10014, prices 10015, stops 10016, trade mode
10017 / 10042-10044, expiration 10022, filling 10030, order type 10035, malformed 10013.
Prices are compared in whole points so float noise never decides; volumes in 10^-8 lots.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from MetaTrader5.protocol import lots_to_wire
from MetaTrader5.records import TradeRequest

from .errors import ValidationError
from .symbols import EffectiveSymbol

__all__ = [
    "DEAL", "PENDING", "SLTP", "MODIFY", "REMOVE", "CLOSE_BY",
    "SymbolTradeTerms", "validate_request", "wire_action", "wire_volume",
]  # fmt: skip

# Official TRADE_ACTION_* values (API.md).
DEAL, PENDING, SLTP, MODIFY, REMOVE, CLOSE_BY = 1, 5, 6, 7, 8, 10
_ACTIONS = frozenset({DEAL, PENDING, SLTP, MODIFY, REMOVE, CLOSE_BY})
_PENDING_TYPES = frozenset(range(2, 8))
_STOP_LIMITS = frozenset({6, 7})
#: spec 4.6: symbol order_flags bit per ORDER_TYPE.
_ORDER_BIT = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 8, 7: 8, 8: 64}
#: spec 4.6: symbol time_flags bit per ORDER_TIME.
_TIME_BIT = {0: 1, 1: 2, 2: 4, 3: 8}
_FOK, _IOC, _RETURN, _BOC = 0, 1, 2, 3
#: spec 4.5: wire action of a DEAL per symbol exemode (instant, 1, is decided by volume).
_WIRE_DEAL_ACTION = {0: 1, 2: 3, 3: 4}

_R_INVALID, _R_VOLUME, _R_PRICE, _R_STOPS = 10013, 10014, 10015, 10016
_R_DISABLED, _R_EXPIRATION, _R_FILL, _R_ORDER = 10017, 10022, 10030, 10035
_R_LONG_ONLY, _R_SHORT_ONLY, _R_CLOSE_ONLY = 10042, 10043, 10044

#: Lots -> 10^-8 units through the exact decimal path, memoised: a request checks four volumes
#: (its own, the symbol's min, max and step), the same few values every time.
wire_volume = lru_cache(maxsize=4096)(lots_to_wire)


@dataclass(frozen=True, slots=True)
class SymbolTradeTerms:
    """The symbol facts the checks and the wire mapping need (spec 3.4.3 + 3.3.2)."""

    name: str
    digits: int
    volume_min: float
    volume_max: float
    volume_step: float
    stops_level: int = 0
    exemode: int = 2
    instant_volume: float = 0.0
    trade_mode: int = 4
    fill_flags: int = 3
    time_flags: int = 15
    order_flags: int = 127
    tick_size: float = 0.0

    @property
    def point(self) -> float:
        return float(10.0**-self.digits)

    @classmethod
    def of(cls, symbol: EffectiveSymbol) -> SymbolTradeTerms:
        rec, trade = symbol.record, symbol.trade
        return cls(
            rec.trade_symbol, rec.digits, trade.volume_min / 1e8, trade.volume_max / 1e8,
            trade.volume_step / 1e8, max(trade.stops_level, 0), trade.exemode,
            trade.instant_volume / 1e8, trade.trade_mode, trade.fill_flags, trade.time_flags,
            trade.order_flags, rec.tick_size,
        )  # fmt: skip


def _check_volume(req: TradeRequest, terms: SymbolTradeTerms) -> None:
    if not req.volume > 0:
        raise ValidationError("volume", "must be > 0", _R_VOLUME)
    units = wire_volume(req.volume)
    vmin, vmax = wire_volume(terms.volume_min), wire_volume(terms.volume_max)
    step = wire_volume(terms.volume_step)
    if units < vmin:
        raise ValidationError("volume", f"{req.volume:g} is below the minimum "
                                        f"{terms.volume_min:g}", _R_VOLUME)  # fmt: skip
    if vmax and units > vmax:
        raise ValidationError("volume", f"{req.volume:g} is above the maximum "
                                        f"{terms.volume_max:g}", _R_VOLUME)  # fmt: skip
    if step and units % step:
        raise ValidationError("volume", f"{req.volume:g} is not a multiple of "
                                        f"{terms.volume_step:g}", _R_VOLUME)  # fmt: skip


def _check_trade_mode(req: TradeRequest, terms: SymbolTradeTerms) -> None:
    mode = terms.trade_mode
    if mode == 0:
        raise ValidationError("symbol", f"trading {terms.name} is disabled", _R_DISABLED)
    opening = req.action == PENDING or (req.action == DEAL and not req.position)
    if not opening:
        return
    buy = req.type % 2 == 0
    if mode == 3:
        raise ValidationError("type", f"{terms.name} is close-only", _R_CLOSE_ONLY)
    if mode == 1 and not buy:
        raise ValidationError("type", f"{terms.name} is long-only", _R_LONG_ONLY)
    if mode == 2 and buy:
        raise ValidationError("type", f"{terms.name} is short-only", _R_SHORT_ONLY)


def _check_filling(req: TradeRequest, terms: SymbolTradeTerms) -> None:
    filling = req.type_filling
    if filling == _FOK:
        ok = bool(terms.fill_flags & 1)
    elif filling == _IOC:
        ok = bool(terms.fill_flags & 2)
    elif filling == _RETURN:
        ok = req.action == PENDING or terms.exemode in (2, 3)
    elif filling == _BOC:
        ok = req.action == PENDING and req.type in (2, 3) and bool(terms.fill_flags & 4)
    else:
        ok = False
    if not ok:
        raise ValidationError("type_filling", f"filling mode {filling} is not allowed for "
                                              f"{terms.name}", _R_FILL)  # fmt: skip


def _check_expiration(req: TradeRequest, terms: SymbolTradeTerms, now: int) -> None:
    bit = _TIME_BIT.get(req.type_time)
    if bit is None or not terms.time_flags & bit:
        raise ValidationError("type_time", f"expiration mode {req.type_time} is not allowed "
                                           f"for {terms.name}", _R_EXPIRATION)  # fmt: skip
    if req.type_time in (2, 3) and now and req.expiration <= now:
        raise ValidationError("expiration", "must be in the future (server time)",
                              _R_EXPIRATION)  # fmt: skip


def _check_stops(req: TradeRequest, terms: SymbolTradeTerms, bid: float, ask: float) -> None:
    """SL/TP on the right side and at least ``stops_level`` points from the reference."""
    if req.sl < 0 or req.tp < 0:
        raise ValidationError("sl" if req.sl < 0 else "tp", "must be >= 0", _R_STOPS)
    if req.action not in (DEAL, PENDING, SLTP, MODIFY) or not (req.sl or req.tp):
        return
    if req.action == DEAL and req.position:
        return  # closing: SL/TP are ignored
    buy = req.type % 2 == 0
    if req.action in (PENDING, MODIFY):
        ref = req.stoplimit if req.type in _STOP_LIMITS else req.price
    else:
        ref = bid if buy else ask  # a position closes at the opposite price
    if ref <= 0:
        return
    point = terms.point
    level = max(terms.stops_level, 1)
    for name, value, below in (("sl", req.sl, buy), ("tp", req.tp, not buy)):
        if not value:
            continue
        gap = round((ref - value) / point) if below else round((value - ref) / point)
        if gap < level:
            side = "below" if below else "above"
            raise ValidationError(name, f"must be at least {level} points {side} {ref:g}",
                                  _R_STOPS)  # fmt: skip


def validate_request(
    req: TradeRequest, terms: SymbolTradeTerms, bid: float, ask: float, now: int = 0
) -> None:
    """Check a request locally; raises :class:`ValidationError` naming the field.

    ``now`` is the server time in seconds (0 = skip the expiration-time check).
    """
    action = req.action
    if action not in _ACTIONS:
        raise ValidationError("action", f"unknown trade action {action}", _R_INVALID)
    if action in (DEAL, PENDING):
        _check_volume(req, terms)
        if action == PENDING and req.type not in _PENDING_TYPES:
            raise ValidationError("type", f"order type {req.type} is not a pending type",
                                  _R_ORDER)  # fmt: skip
        if action == DEAL and req.type not in (0, 1):
            raise ValidationError("type", f"order type {req.type} is not a market type",
                                  _R_ORDER)  # fmt: skip
        if not terms.order_flags & _ORDER_BIT[req.type]:
            raise ValidationError("type", f"order type {req.type} is not allowed for "
                                          f"{terms.name}", _R_ORDER)  # fmt: skip
        _check_trade_mode(req, terms)
        _check_filling(req, terms)
    if action in (PENDING, MODIFY):
        if not req.price > 0:
            raise ValidationError("price", "must be > 0 for pending orders", _R_PRICE)
        if req.type in _STOP_LIMITS and not req.stoplimit > 0:
            raise ValidationError("stoplimit", "must be > 0 for stop-limit orders", _R_PRICE)
        _check_expiration(req, terms, now)
    if action in (MODIFY, REMOVE) and not req.order:
        raise ValidationError("order", "an order ticket is required", _R_INVALID)
    if action in (SLTP, CLOSE_BY) and not req.position:
        raise ValidationError("position", "a position ticket is required", _R_INVALID)
    if action == CLOSE_BY and not req.position_by:
        raise ValidationError("position_by", "the opposite position ticket is required",
                              _R_INVALID)  # fmt: skip
    _check_stops(req, terms, bid, ask)


def wire_action(req: TradeRequest, terms: SymbolTradeTerms) -> int:
    """spec 4.5: the wire trade_action of an official request."""
    if req.action != DEAL:
        return req.action
    if terms.exemode == 1:
        limit = terms.instant_volume
        return 1 if limit and req.volume > limit else 2
    return _WIRE_DEAL_ACTION.get(terms.exemode, 3)
