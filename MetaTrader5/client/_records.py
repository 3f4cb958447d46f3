"""Wire arrays (``bulk`` dtypes) -> official records, per spec 4.8, column-wise.

Each column is converted once with numpy (times to ms, volumes / 10^8, UTF-16 columns to
``str``), then the columns are zipped so that building a record is one tuple and one
``_from_sequence`` call: no per-field Python work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from MetaTrader5.protocol import bulk
from MetaTrader5.protocol.schemas.trading import Deal, Order, Position
from MetaTrader5.records import TradeDeal, TradeOrder, TradePosition

__all__ = [
    "deal_record",
    "deals_to_records",
    "order_record",
    "position_record",
    "orders_to_records",
    "positions_to_records",
    "stack",
]

R = TypeVar("R", TradePosition, TradeOrder, TradeDeal)


def _text(column: bulk.Array) -> list[str]:
    return bulk.decode_utf16_column(column).tolist() if len(column) else []


def _msc(seconds: bulk.Array, ms: bulk.Array) -> list[int]:
    return (seconds.astype(np.int64) * 1000 + ms.astype(np.int64)).tolist()  # type: ignore[no-any-return]


def _lots(volume: bulk.Array) -> list[float]:
    return np.round(volume.astype(np.float64) / 1e8, 8).tolist()  # type: ignore[no-any-return]


def _build(cls: type[R], columns: Sequence[list[Any]]) -> tuple[R, ...]:
    make = cls._from_sequence
    return tuple(make(values) for values in zip(*columns, strict=True))


def stack(rows: Sequence[bulk.Array], dtype: np.dtype[Any]) -> bulk.Array:
    """One array from single rows (dict values of the live state)."""
    if not rows:
        return np.zeros(0, dtype)
    return np.concatenate(rows)


def positions_to_records(
    arr: bulk.Array,
    price_current: list[float] | None = None,
    profit: list[float] | None = None,
    magic: list[int] | None = None,
) -> tuple[TradePosition, ...]:
    """``POSITION_DTYPE`` -> ``TradePosition`` (spec 4.8: ticket = identifier = position_id).

    ``price_current`` / ``profit`` replace the record's values with live ones when given,
    ``magic`` the wire column with the filled one (``_magic``).
    """
    ident = arr["position_id"].tolist()
    return _build(TradePosition, [
        ident,
        arr["time_create"].tolist(),
        _msc(arr["time_create"], arr["time_create_ms"]),
        arr["time_update"].tolist(),
        _msc(arr["time_update"], arr["time_update_ms"]),
        arr["type"].tolist(),
        magic if magic is not None else arr["magic"].tolist(),
        ident,
        arr["reason"].tolist(),
        _lots(arr["volume"]),
        arr["price_open"].tolist(),
        arr["sl"].tolist(),
        arr["tp"].tolist(),
        price_current if price_current is not None else arr["price_current"].tolist(),
        arr["swap"].tolist(),
        profit if profit is not None else arr["profit"].tolist(),
        _text(arr["trade_symbol"]),
        _text(arr["comment"]),
        _text(arr["external_id"]),
    ])  # fmt: skip


def orders_to_records(arr: bulk.Array, magic: list[int] | None = None) -> tuple[TradeOrder, ...]:
    """``ORDER_DTYPE`` -> ``TradeOrder`` (spec 4.8; position_by_id has no source: 0);
    ``magic`` replaces the wire column when given."""
    return _build(TradeOrder, [
        arr["ticket"].tolist(),
        arr["time_setup"].tolist(),
        _msc(arr["time_setup"], arr["time_setup_ms"]),
        arr["time_done"].tolist(),
        _msc(arr["time_done"], arr["time_done_ms"]),
        arr["time_expiration"].tolist(),
        arr["type"].tolist(),
        arr["type_time"].tolist(),
        arr["type_filling"].tolist(),
        arr["state"].tolist(),
        magic if magic is not None else arr["magic"].tolist(),
        arr["position_id"].tolist(),
        [0] * len(arr),
        arr["reason"].tolist(),
        _lots(arr["volume_initial"]),
        _lots(arr["volume_current"]),
        arr["price_order"].tolist(),
        arr["sl"].tolist(),
        arr["tp"].tolist(),
        arr["price_current"].tolist(),
        arr["price_trigger"].tolist(),
        _text(arr["trade_symbol"]),
        _text(arr["comment"]),
        _text(arr["external_id"]),
    ])  # fmt: skip


def deals_to_records(arr: bulk.Array, magic: list[int] | None = None) -> tuple[TradeDeal, ...]:
    """``DEAL_DTYPE`` -> ``TradeDeal`` (spec 4.8: price = the wire ``price``); ``magic``
    replaces the wire column when given."""
    return _build(TradeDeal, [
        arr["ticket"].tolist(),
        arr["order"].tolist(),
        arr["time_create"].tolist(),
        _msc(arr["time_create"], arr["time_create_ms"]),
        arr["type"].tolist(),
        arr["entry"].tolist(),
        magic if magic is not None else arr["magic"].tolist(),
        arr["position_id"].tolist(),
        arr["reason"].tolist(),
        _lots(arr["volume"]),
        arr["price"].tolist(),
        arr["commission"].tolist(),
        arr["swap"].tolist(),
        arr["profit"].tolist(),
        arr["fee"].tolist(),
        _text(arr["trade_symbol"]),
        _text(arr["comment"]),
        _text(arr["external_id"]),
    ])  # fmt: skip


# --- scalar paths: one decoded record (push 10) -> one official record --------------------
# A push 10 carries one or two records; the column-wise converters above would run a dozen
# numpy calls (and the UTF-16 column machinery) per record. These build the same tuples from
# the already-decoded wire record with plain Python (same formulas: msc = s * 1000 + ms,
# lots = round(volume / 1e8, 8), strings up to the first NUL - spec 4.8).


def position_record(p: Position, magic: int | None = None) -> TradePosition:
    """One decoded ``Position`` -> ``TradePosition`` (as :func:`positions_to_records`;
    ``magic`` replaces the wire value when given, likewise below)."""
    ident = p.position_id
    return TradePosition._from_sequence((
        ident, p.time_create, p.time_create * 1000 + p.time_create_ms, p.time_update,
        p.time_update * 1000 + p.time_update_ms, p.type, p.magic if magic is None else magic,
        ident, p.reason, round(p.volume / 1e8, 8), p.price_open, p.sl, p.tp, p.price_current,
        p.swap, p.profit, p.trade_symbol, p.comment, p.external_id,
    ))  # fmt: skip


def order_record(o: Order, magic: int | None = None) -> TradeOrder:
    """One decoded ``Order`` -> ``TradeOrder`` (as :func:`orders_to_records`)."""
    return TradeOrder._from_sequence((
        o.ticket, o.time_setup, o.time_setup * 1000 + o.time_setup_ms, o.time_done,
        o.time_done * 1000 + o.time_done_ms, o.time_expiration, o.type, o.type_time,
        o.type_filling, o.state, o.magic if magic is None else magic, o.position_id, 0,
        o.reason, round(o.volume_initial / 1e8, 8), round(o.volume_current / 1e8, 8),
        o.price_order, o.sl, o.tp, o.price_current, o.price_trigger, o.trade_symbol,
        o.comment, o.external_id,
    ))  # fmt: skip


def deal_record(d: Deal, magic: int | None = None) -> TradeDeal:
    """One decoded ``Deal`` -> ``TradeDeal`` (as :func:`deals_to_records`)."""
    return TradeDeal._from_sequence((
        d.ticket, d.order, d.time_create, d.time_create * 1000 + d.time_create_ms, d.type,
        d.entry, d.magic if magic is None else magic, d.position_id, d.reason,
        round(d.volume / 1e8, 8), d.price, d.commission, d.swap, d.profit, d.fee,
        d.trade_symbol, d.comment, d.external_id,
    ))  # fmt: skip
