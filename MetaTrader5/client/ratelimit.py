"""A cancellation-safe token bucket for outgoing requests.

Design: every ``acquire`` takes its tokens at once, letting the bucket go into debt, and then
sleeps for exactly as long as the debt needs to be repaid. Because there is no ``await``
between reading and updating the bucket, and asyncio runs one task at a time, no lock is
needed at all, so none can be held across a sleep. Waiters are served in arrival order (each
one's debt includes everyone's before it). A waiter cancelled during its sleep gives its tokens
back, so cancellation never shrinks the rate for the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    """Allow ``rate`` acquisitions per second on average, bursts up to ``burst``.

    Args:
        rate: tokens added per second (> 0).
        burst: bucket capacity (>= 1); also the number of immediate acquisitions.
        clock: monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self.waiting = 0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    @property
    def tokens(self) -> float:
        """Tokens available now (negative while waiters are in debt)."""
        self._refill()
        return self._tokens

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` if they are available now, without waiting."""
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    async def acquire(self, tokens: float = 1.0) -> None:
        """Wait until ``tokens`` may be spent, then spend them.

        Raises:
            ValueError: ``tokens`` exceeds the burst (it could never be granted).
            asyncio.CancelledError: cancelled while waiting; the tokens are returned.
        """
        if tokens > self.burst:
            raise ValueError(f"cannot acquire {tokens} tokens from a bucket of {self.burst}")
        self._refill()
        self._tokens -= tokens
        if self._tokens >= 0:
            return
        delay = -self._tokens / self.rate
        self.waiting += 1
        try:
            await asyncio.sleep(delay)
        except BaseException:
            # Give the reservation back: nobody will use the slot we were waiting for.
            self._refill()
            self._tokens = min(self.burst, self._tokens + tokens)
            raise
        finally:
            self.waiting -= 1

    async def __aenter__(self) -> TokenBucket:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
