"""Health snapshots, degraded transitions and the backoff policy."""

from __future__ import annotations

import random

from MetaTrader5.client.health import Backoff, HealthMonitor


def test_degraded_transitions_once() -> None:
    now = [100.0]
    mon = HealthMonitor(latency_threshold=1.0, silence_threshold=5.0, clock=lambda: now[0])
    assert mon.check() is None
    mon.connected()
    mon.message_received()
    assert mon.check() is None
    now[0] += 6
    assert mon.check() is True
    assert mon.check() is None
    mon.message_received()
    assert mon.check() is False
    mon.ping_answered(2.5)
    assert mon.check() is True
    mon.ping_answered(0.01)
    assert mon.check() is False
    snap = mon.snapshot("ready", 3, 1, 5687)
    assert snap.connected and snap.uptime == 6.0 and snap.pending_requests == 3
    assert snap.last_ping_latency == 0.01 and snap.messages_received == 2
    mon.disconnected()
    assert mon.snapshot("closed", 0, 0, None).uptime is None


def test_backoff_exponential_with_jitter_and_cap() -> None:
    b = Backoff(base=0.1, cap=1.0, minimum=0.0, rng=random.Random(1))
    ceilings = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
    delays = [b.next_delay() for _ in ceilings]
    assert all(0.0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jittered, not constant
    b.reset()
    assert b.attempt == 0 and b.next_delay() <= 0.1
    assert Backoff(base=0.1, minimum=0.05, rng=random.Random(2)).next_delay() >= 0.05
