"""The short CI version of scripts/soak.py: bounded tables while ticks stream and orders flow.

Asserted on structure sizes only (never on timing or RSS, which depend on the machine): the
tick store saturates at its cap and stays there, no request table grows, no trade result is
left unresolved, and the set of stream subscribers and server sessions is constant.
"""

from __future__ import annotations

import asyncio

from ._scripts import load_script

soak = load_script("soak")

SESSIONS, SYMBOLS, TRADERS, MAX_TICKS = 2, 10, 1, 3


def test_tables_stay_bounded_while_streaming_and_trading() -> None:
    samples = asyncio.run(asyncio.wait_for(soak.run_soak(
        12.0, sessions=SESSIONS, symbols=SYMBOLS, traders=TRADERS, interval=1.0,
        max_ticks=MAX_TICKS, trade_pause=0.05, echo=False), 60))  # fmt: skip
    assert len(samples) >= 8
    last = samples[-1]
    assert last.trades_done >= 5 and last.ticks_seen > SESSIONS * SYMBOLS * MAX_TICKS
    cap = SESSIONS * SYMBOLS * MAX_TICKS
    assert all(s.tick_rows <= cap for s in samples)
    assert last.tick_rows >= cap * 0.8  # saturated: the rings really are the bound
    assert all(s.unresolved == 0 for s in samples)
    assert all(s.pending <= 2 * SESSIONS and s.trade_waiting <= TRADERS for s in samples)
    third = len(samples) // 3
    head, tail = samples[:third], samples[-third:]
    assert max(s.pending + s.trade_waiting for s in tail) <= \
        max(s.pending + s.trade_waiting for s in head) + TRADERS + 1  # fmt: skip
    assert {s.subscribers for s in samples} == {samples[0].subscribers}
    assert {s.server_sessions for s in samples} == {SESSIONS}
    # The ledger's history is the only thing meant to grow, and it does (orders flowed).
    assert last.server_history > samples[0].server_history
