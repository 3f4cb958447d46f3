"""At-most-once memory of executed requests (issue 5 "State never lost").

A client may resend a trade request after a lost answer; the same (login, request id,
fingerprint of the content) within the window returns the first outcome without executing
again. A different request reusing an id is new. Memory is bounded by entries and by age.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from MetaTrader5.server.engine.types import TradeOutcome, TradeRequest

__all__ = ["DedupeWindow"]


class DedupeWindow:
    """The last ``max_entries`` outcomes younger than ``max_age_ms`` (server time)."""

    def __init__(self, max_entries: int = 4096, max_age_ms: int = 600_000) -> None:
        self.max_entries = max_entries
        self.max_age_ms = max_age_ms
        self._items: OrderedDict[tuple[int, int], tuple[bytes, int, TradeOutcome]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def _expire(self, now_ms: int) -> None:
        while self._items:
            key, (_, stamp, _) = next(iter(self._items.items()))
            if now_ms - stamp <= self.max_age_ms and len(self._items) <= self.max_entries:
                break
            del self._items[key]

    def lookup(
        self, login: int, request_id: int, fingerprint: bytes, now_ms: int
    ) -> TradeOutcome | None:
        """The remembered outcome of this exact request, or None."""
        self._expire(now_ms)
        hit = self._items.get((login, request_id))
        if hit is None or hit[0] != fingerprint:
            return None
        return hit[2]

    def remember(
        self, login: int, request_id: int, fingerprint: bytes, now_ms: int, outcome: TradeOutcome
    ) -> None:
        key = (login, request_id)
        self._items.pop(key, None)
        self._items[key] = (fingerprint, now_ms, outcome)
        self._expire(now_ms)

    def to_list(self) -> list[dict[str, Any]]:
        return [
            {"login": k[0], "request_id": k[1], "fingerprint": fp.hex(), "time_ms": t,
             "outcome": asdict(o)}
            for k, (fp, t, o) in self._items.items()
        ]

    def load_list(self, items: list[dict[str, Any]]) -> None:
        self._items.clear()
        for item in items:
            raw = dict(item["outcome"])
            request = TradeRequest(**raw.pop("request"))
            outcome = TradeOutcome(request=request, **raw)
            key = (int(item["login"]), int(item["request_id"]))
            self._items[key] = (bytes.fromhex(item["fingerprint"]), int(item["time_ms"]), outcome)
