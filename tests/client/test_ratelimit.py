"""Token bucket: rate held under 100 concurrent tasks, cancellation returns reservations."""

from __future__ import annotations

import asyncio
import time

import pytest

from MetaTrader5.client.ratelimit import TokenBucket


def test_burst_then_rate_with_100_concurrent_tasks() -> None:
    async def main() -> list[float]:
        bucket = TokenBucket(rate=2000.0, burst=10)
        stamps: list[float] = []

        async def worker() -> None:
            await bucket.acquire()
            stamps.append(time.monotonic())

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(100)))
        assert bucket.waiting == 0
        return [s - start for s in stamps]

    stamps = asyncio.run(main())
    assert len(stamps) == 100
    # 10 immediately, the other 90 need 90/2000 = 45 ms at least.
    assert max(stamps) >= 0.040
    # In any prefix window, grants never exceed burst + rate * elapsed (+1 for rounding).
    for i, t in enumerate(sorted(stamps)):
        assert i + 1 <= 10 + 2000.0 * t + 1


def test_fifo_order_of_waiters() -> None:
    async def main() -> list[int]:
        bucket = TokenBucket(rate=500.0, burst=1)
        order: list[int] = []

        async def worker(i: int) -> None:
            await bucket.acquire()
            order.append(i)

        await asyncio.gather(*(worker(i) for i in range(20)))
        return order

    assert asyncio.run(main()) == list(range(20))


def test_cancelled_waiters_give_tokens_back() -> None:
    async def main() -> float:
        bucket = TokenBucket(rate=20.0, burst=1)
        await bucket.acquire()  # bucket empty now
        waiters = [asyncio.create_task(bucket.acquire()) for _ in range(40)]  # ~2 s of debt
        await asyncio.sleep(0.01)
        assert bucket.waiting == 40
        for task in waiters:
            task.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
        assert bucket.waiting == 0
        start = time.monotonic()
        await bucket.acquire()  # without refunds this would wait ~2 s
        return time.monotonic() - start

    assert asyncio.run(main()) < 0.2


def test_cancellation_under_load_keeps_rate_and_finishes() -> None:
    async def main() -> int:
        bucket = TokenBucket(rate=1000.0, burst=5)
        done = 0

        async def worker() -> None:
            nonlocal done
            await bucket.acquire()
            done += 1

        tasks = [asyncio.create_task(worker()) for _ in range(100)]
        await asyncio.sleep(0.005)
        for task in tasks[::2]:
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 2.0)
        assert bucket.waiting == 0
        assert bucket.tokens <= bucket.burst
        return done

    done = asyncio.run(main())
    assert 50 <= done < 100


def test_try_acquire_and_limits() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=1.0, burst=2, clock=lambda: now[0])
    assert bucket.try_acquire() and bucket.try_acquire()
    assert not bucket.try_acquire()
    now[0] = 1.0
    assert bucket.try_acquire()
    with pytest.raises(ValueError):
        asyncio.run(bucket.acquire(3))
    with pytest.raises(ValueError):
        TokenBucket(rate=0)
