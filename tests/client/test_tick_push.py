"""Push 8 in one vectorised pass: equal, tick for tick, to the per-tick rules of spec 3.5.1.

The reference is the per-tick loop the client used before (``tick_rules.py``: the
specification in executable form); random pushes exercise every rule: unset bits, zero
prices, volumes, out-of-order ticks, unknown symbols, state carried across pushes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from MetaTrader5.client._ticks import (
    BATCH_PUSH,
    SMALL_PUSH,
    apply_ticks,
    apply_ticks_scalar,
    apply_ticks_vectorised,
    official_ticks,
)
from MetaTrader5.client.tickstore import TickRing, TickStore
from MetaTrader5.protocol import Command, bulk, frames
from MetaTrader5.records import TICKS_DTYPE

from .sim import client, run, simulator
from .tick_rules import SymbolState, per_tick_rules, tick_rows


def _random_push(rng: np.random.Generator, n: int, t0: int) -> Any:
    wire = np.zeros(n, bulk.TICK_DTYPE)
    wire["symbol_id"] = rng.choice([1, 2, 3, 99], n, p=[0.4, 0.3, 0.25, 0.05])
    msc = t0 + np.sort(rng.integers(0, 5000, n)) + rng.integers(-300, 300, n) * (
        rng.random(n) < 0.2
    )
    wire["time"], wire["time_ms"] = msc // 1000, msc % 1000
    wire["fields"] = rng.integers(0, 16, n)
    for name in ("bid", "ask", "last"):
        wire[name] = rng.integers(100_000, 120_000, n) * (rng.random(n) > 0.2)
    wire["volume"] = rng.integers(0, 10**9, n)
    return wire


@pytest.mark.parametrize("apply", [apply_ticks_scalar, apply_ticks_vectorised, apply_ticks])
@pytest.mark.parametrize("seed", range(6))
def test_push_paths_equal_the_per_tick_rules(seed: int, apply: Any) -> None:
    rng = np.random.default_rng(seed)
    digits = {1: 5, 2: 3, 3: 2}
    ours = {k: SymbolState(f"S{k}", d) for k, d in digits.items()}
    theirs = {k: SymbolState(f"S{k}", d) for k, d in digits.items()}
    t0 = 1_700_000_000_000
    for push in range(6):
        rows = _random_push(rng, int(rng.integers(1, 2 * SMALL_PUSH)), t0 + push * 3000)
        expected = per_tick_rules(rows, theirs)[0]
        got = apply(rows, ours.get)
        assert got.received == len(rows)
        arrival = [(got.names[i], tuple(got.grouped[i].tolist())) for i in got.arrival]
        assert arrival == expected
        assert [(n, tuple(r)) for n, r in got.in_arrival_order()] == expected
        for name, lo, hi in got.slices:
            assert set(got.names[lo:hi]) == {name}
            per_symbol = [row for n, row in expected if n == name]
            assert [tuple(r) for r in got.grouped[lo:hi].tolist()] == per_symbol
        for key in digits:
            assert vars(ours[key]) == vars(theirs[key])


def test_official_ticks_matches_the_bulk_conversion() -> None:
    rows = _random_push(np.random.default_rng(1), 100, 1_700_000_000_000)
    digits = np.where(rows["symbol_id"] == 2, 3, 5)
    lean = official_ticks(rows, 10.0**digits)
    reference = bulk.ticks_to_official(rows, digits)
    assert lean.dtype == TICKS_DTYPE
    assert lean.tobytes() == reference.tobytes()
    assert official_ticks(rows[:0], 1.0).shape == (0,)


@pytest.mark.parametrize("max_ticks", [1, 5, 64, 100, 333])
def test_ring_extend_equals_appending_one_by_one(max_ticks: int) -> None:
    rng = np.random.default_rng(max_ticks)
    one, many = TickRing(max_ticks), TickRing(max_ticks)
    at = 0
    for _ in range(40):
        size = int(rng.integers(0, 2 * max_ticks + 3))
        chunk = tick_rows(at, at + size)
        at += size
        for row in chunk.tolist():
            one.append(row)
        many.extend(chunk)
        assert many.array().tobytes() == one.array().tobytes()
        assert many.since_msc == one.since_msc
        assert len(many) == len(one)


def test_store_extend_evicts_like_append() -> None:
    store = TickStore(max_ticks=10, max_symbols=2)
    store.extend("A", tick_rows(0, 3))
    store.extend("B", tick_rows(3, 5))
    store.extend("A", tick_rows(5, 6))
    store.extend("C", tick_rows(6, 8))
    assert store.symbols() == ["A", "C"] and store.evicted == 1
    assert list(store.ticks("A")["time_msc"]) == [0, 1, 2, 5]
    store.extend("A", tick_rows(0, 0))
    assert store.symbols() == ["A", "C"]


def test_on_ticks_batches_exactly_what_on_tick_delivers() -> None:
    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            entries = [c.market.entry(n) for n in ("EURUSD", "GBPUSD", "USDJPY")]
            singles: list[tuple[str, tuple[Any, ...]]] = []
            batches: list[tuple[str, Any]] = []
            only: list[str] = []
            c.on_tick(lambda t: singles.append(("?", tuple(t))))
            c.on_ticks(lambda s, a: batches.append((s, a.copy())))
            c.on_ticks(lambda s, a: only.append(s), "GBPUSD")
            transport = c._transport
            assert transport is not None
            key = transport.connection.key
            wire = np.zeros(300, bulk.TICK_DTYPE)
            t0 = 2_100_000_000  # newer than anything the feed sent (wire time is i32)
            i = np.arange(300)
            wire["symbol_id"] = [entries[k % 3].symbol_id for k in range(300)]  # type: ignore[union-attr]
            wire["time"], wire["time_ms"] = t0 + i // 1000, i % 1000
            wire["fields"], wire["bid"], wire["ask"] = 3, 100_000 + i, 100_010 + i
            body = bulk.encode_ticks(wire)
            message = frames.encode_server_message(key, Command.TICKS, 0, body)
            before = len(c.tick_history("EURUSD"))
            transport._dispatch(message)
            await asyncio.sleep(0)
            ours = [b for b in batches if b[1]["time"][0] >= t0]
            assert sorted(s for s, _ in ours) == ["EURUSD", "GBPUSD", "USDJPY"]
            assert sum(len(a) for _, a in ours) == 300
            assert only.count("GBPUSD") >= 1 and set(only) == {"GBPUSD"}
            mine = [row for _, row in singles if row[0] >= t0]
            batched = sorted(tuple(r) for _, a in ours for r in a.tolist())
            assert sorted(mine) == batched
            assert len(c.tick_history("EURUSD")) == before + 100
            tick = await c.symbol_info_tick("EURUSD")
            assert tick.time_msc == (t0 + 297 // 1000) * 1000 + 297 % 1000

    run(main(), 60)


def _snapshot(entries: list[Any]) -> dict[int, SymbolState]:
    return {e.symbol_id: SymbolState(e.name, e.digits, e.bid, e.ask, e.last, e.volume_real,
                                e.time_msc, e.bidask_msc, e.flags) for e in entries}  # fmt: skip


@pytest.mark.parametrize("size", [1, 50, BATCH_PUSH + 1, 300])
def test_only_on_ticks_subscribed_equals_the_per_tick_rules(size: int) -> None:
    """No ``on_tick`` subscriber (or only one for a symbol absent from the push): the push
    may skip the per-tick rows; batches, quote state and history still follow the rules."""

    async def main() -> None:
        async with simulator() as server, client(server.url) as c:
            names = ("EURUSD", "GBPUSD", "USDJPY")
            entries = [e for n in names if (e := c.market.entry(n)) is not None]
            assert len(entries) == len(names)
            batches: list[tuple[str, Any]] = []
            singles: list[Any] = []
            c.on_ticks(lambda s, a: batches.append((s, a.copy())))
            c.on_tick(singles.append, "AUDUSD")  # keyed on a symbol the pushes never carry
            transport = c._transport
            assert transport is not None
            key = transport.connection.key
            rng = np.random.default_rng(size)
            t0 = 2_100_000_000_000  # newer than anything the feed sent (wire time is i32 s)
            for push in range(3):
                wire = _random_push(rng, size, t0 + push * 6000)
                lut = dict(zip((1, 2, 3, 99), [e.symbol_id for e in entries] + [10**6],
                               strict=True))  # fmt: skip
                wire["symbol_id"] = [lut[s] for s in wire["symbol_id"].tolist()]
                states = _snapshot(entries)
                expected = per_tick_rules(wire, states)[0]
                batches.clear()
                transport._dispatch(
                    frames.encode_server_message(key, Command.TICKS, 0, bulk.encode_ticks(wire))
                )
                for name in names:
                    got = [tuple(r) for s, a in batches if s == name for r in a.tolist()]
                    assert got == [row for n, row in expected if n == name]
                for entry in entries:
                    state = states[entry.symbol_id]
                    assert (entry.bid, entry.ask, entry.last, entry.volume_real,
                            entry.time_msc, entry.bidask_msc, entry.flags) == (
                        state.bid, state.ask, state.last, state.volume_real, state.time_msc,
                        state.bidask_msc, state.flags)  # fmt: skip
            await asyncio.sleep(0)
            assert singles == []

    run(main(), 60)
