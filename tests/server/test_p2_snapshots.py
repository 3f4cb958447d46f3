"""Event records are snapshots: the ledger's copy helpers and the engine's events.

The engine copies orders, deals and positions into its events with ``ledger.copy_*`` (a
positional copy, cheaper than ``dataclasses.replace``). These pin that a copy equals its
source field for field, is independent of it, and that events keep the state at the time of
the trade however the ledger moves on (spec 3.6.3: a push 10 carries the state after the deal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from test_engine_fixtures import Rig

from MetaTrader5 import constants as c
from MetaTrader5.server.engine import EventKind
from MetaTrader5.server.ledger import (
    Deal,
    Order,
    Position,
    copy_deal,
    copy_order,
    copy_position,
)


def _distinct(cls: type) -> dict[str, Any]:
    """A value per field that differs from every default, so a dropped field shows."""
    out: dict[str, Any] = {}
    for i, f in enumerate(fields(cls)):
        kind = str(f.type)  # annotations are strings here (postponed evaluation)
        out[f.name] = f"{f.name}{i}" if kind == "str" else 0.5 + i if kind == "float" else 1000 + i
    return out


def _check_copy(cls: type, copy: Callable[[Any], Any]) -> None:
    original = cls(**_distinct(cls))
    clone = copy(original)
    assert clone == original and clone is not original
    first = fields(cls)[0].name
    setattr(clone, first, -1)
    assert getattr(original, first) != -1


def test_copies_are_equal_and_independent() -> None:
    _check_copy(Order, copy_order)
    _check_copy(Position, copy_position)
    _check_copy(Deal, copy_deal)


def test_events_keep_the_state_at_the_time_of_the_trade() -> None:
    rig = Rig(margin_mode="hedging")
    opened, events = rig.send(trade_action=3, symbol="EURUSD", volume=1.0, type=0)
    assert opened.retcode == c.TRADE_RETCODE_DONE
    history, deal_event = events
    assert history.kind == EventKind.HISTORY_ORDER and deal_event.kind == EventKind.DEAL
    position = deal_event.position
    assert position is not None and position.volume == 100_000_000
    live = rig.ledger.positions[opened.order]
    assert live is not position and live == position
    # Partly close: the ledger's position changes, the first events do not.
    rig.tick(1.10020, 1.10022)
    closed, later = rig.send(trade_action=3, symbol="EURUSD", volume=0.4, type=1,
                             position=opened.order)  # fmt: skip
    assert closed.retcode == c.TRADE_RETCODE_DONE
    assert rig.ledger.positions[opened.order].volume == 60_000_000
    assert position.volume == 100_000_000
    assert later[-1].position is not None and later[-1].position.volume == 60_000_000
    # Close the rest: the event says volume 0 at the closing price, the ledger forgets it.
    rig.tick(1.10030, 1.10032)
    _, final = rig.send(trade_action=3, symbol="EURUSD", volume=0.6, type=1,
                        position=opened.order)  # fmt: skip
    gone = final[-1].position
    assert gone is not None and gone.volume == 0 and gone.price_current == 1.10030
    assert opened.order not in rig.ledger.positions
    assert later[-1].position.volume == 60_000_000
    # The deals in the events are copies of the booked deals.
    booked = rig.ledger.deal(final[-1].deal.ticket if final[-1].deal else 0)
    assert booked is not None and booked == final[-1].deal and booked is not final[-1].deal
    assert history.order is not None and history.order.state == c.ORDER_STATE_FILLED
