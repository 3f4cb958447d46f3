"""Connection health: what ``health()`` reports, the degraded threshold, and the backoff policy.

:class:`HealthMonitor` is fed by the transport (every message received, every ping answered,
every reconnect) and turns that into a :class:`Health` snapshot. It flags the session
*degraded* when the last ping latency or the silence since the last message passes a
threshold, and reports each transition once (the client publishes it as a "degraded" event).

:class:`Backoff` is the reconnect delay policy: exponential with full jitter, capped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff", "Health", "HealthMonitor"]


@dataclass(frozen=True, slots=True)
class Health:
    """A snapshot of one session's health."""

    state: str
    connected: bool
    degraded: bool
    last_ping_latency: float | None
    seconds_since_last_message: float | None
    uptime: float | None
    reconnect_count: int
    pending_requests: int
    callback_errors: int
    messages_received: int
    server_build: int | None


class HealthMonitor:
    """Tracks latency and silence; decides degraded / healthy transitions."""

    def __init__(
        self,
        latency_threshold: float = 2.0,
        silence_threshold: float = 12.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.latency_threshold = latency_threshold
        self.silence_threshold = silence_threshold
        self._clock = clock
        self.connected_at: float | None = None
        self.last_message_at: float | None = None
        self.last_ping_latency: float | None = None
        self.last_ping_ok_at: float | None = None
        self.messages_received = 0
        self.reconnect_count = 0
        self.degraded = False

    def connected(self) -> None:
        now = self._clock()
        self.connected_at = self.last_message_at = self.last_ping_ok_at = now
        self.degraded = False

    def disconnected(self) -> None:
        self.connected_at = None

    def message_received(self) -> None:
        self.messages_received += 1
        self.last_message_at = self._clock()

    def ping_answered(self, latency: float) -> None:
        self.last_ping_latency = latency
        self.last_ping_ok_at = self._clock()

    def since_ping_ok(self) -> float | None:
        if self.last_ping_ok_at is None:
            return None
        return self._clock() - self.last_ping_ok_at

    def check(self) -> bool | None:
        """Re-evaluate; returns the new degraded flag if it changed, else None."""
        now = self._clock()
        silent = self.last_message_at is not None and (
            now - self.last_message_at > self.silence_threshold
        )
        slow = self.last_ping_latency is not None and (
            self.last_ping_latency > self.latency_threshold
        )
        degraded = self.connected_at is not None and (silent or slow)
        if degraded != self.degraded:
            self.degraded = degraded
            return degraded
        return None

    def snapshot(
        self,
        state: str,
        pending_requests: int,
        callback_errors: int,
        server_build: int | None,
    ) -> Health:
        now = self._clock()
        connected = self.connected_at is not None
        return Health(
            state=state,
            connected=connected,
            degraded=self.degraded,
            last_ping_latency=self.last_ping_latency,
            seconds_since_last_message=(
                now - self.last_message_at if self.last_message_at is not None else None
            ),
            uptime=now - self.connected_at if self.connected_at is not None else None,
            reconnect_count=self.reconnect_count,
            pending_requests=pending_requests,
            callback_errors=callback_errors,
            messages_received=self.messages_received,
            server_build=server_build,
        )


class Backoff:
    """Exponential reconnect delays with full jitter: ``uniform(0, min(cap, base * 2**n))``.

    The first delay is never below ``minimum`` so a flapping server is not hammered.
    """

    def __init__(
        self,
        base: float = 0.5,
        cap: float = 30.0,
        minimum: float = 0.05,
        rng: random.Random | None = None,
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self.base = base
        self.cap = cap
        self.minimum = minimum
        self.attempt = 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2.0**self.attempt))
        self.attempt += 1
        return max(self.minimum, self._rng.uniform(0.0, ceiling))

    def reset(self) -> None:
        self.attempt = 0
