"""Compare the server's ledger with what a ``Terminal`` shows (the 0 lost / 0 duplicated judge)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from MetaTrader5.server import SimulatorHandle
from MetaTrader5.server.ledger import lots

from .conftest import LOGIN


@dataclass(frozen=True)
class View:
    """Open positions, open orders, history orders and deals, by ticket."""

    positions: dict[int, tuple[Any, ...]]
    orders: dict[int, tuple[Any, ...]]
    history: frozenset[int]
    deals: frozenset[int]


def server_view(sim: SimulatorHandle, login: int = LOGIN) -> View:
    """A consistent snapshot taken on the server's own loop (the engine is not thread-safe)."""

    async def take() -> View:
        ledger = sim.server.context.engine.ledger(login)
        return View(
            {p.ticket: (p.symbol, p.type, lots(p.volume), p.sl, p.tp)
             for p in ledger.positions.values()},
            {o.ticket: (o.symbol, o.type, lots(o.volume_current), o.price_open, o.sl, o.tp)
             for o in ledger.orders.values()},
            frozenset(o.ticket for o in ledger.all_history_orders()),
            frozenset(d.ticket for d in ledger.all_deals()),
        )  # fmt: skip

    return sim.call(take())  # type: ignore[no-any-return]


def client_view(terminal: Any) -> View:
    """The same snapshot through the official module functions."""
    positions = terminal.positions_get()
    orders = terminal.orders_get()
    history = terminal.history_orders_get(0, 2**31 - 1)
    deals = terminal.history_deals_get(0, 2**31 - 1)
    if positions is None or orders is None or history is None or deals is None:
        raise AssertionError(f"client view unavailable: {terminal.last_error()}")
    return View(
        {p.ticket: (p.symbol, p.type, p.volume, p.sl, p.tp) for p in positions},
        {o.ticket: (o.symbol, o.type, o.volume_current, o.price_open, o.sl, o.tp)
         for o in orders},
        frozenset(o.ticket for o in history),
        frozenset(d.ticket for d in deals),
    )  # fmt: skip
