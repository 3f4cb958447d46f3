"""The simulator's protective limits, in one place, and the small machines that enforce them.

Every limit is a field of :class:`Limits`; pass one to ``SimulatorServer(..., limits=...)`` /
``start_simulator(..., limits=...)`` or write a ``[limits]`` table in the TOML configuration
(same key names). What each limit does when it is hit:

``max_message_bytes`` (default 1 MiB)
    The WebSocket layer (``websockets`` ``max_size``) refuses to buffer a larger message from
    a client and closes the connection with 1009 ("message too big"). Client requests are
    small (a login is 912 bytes); the limit only bounds what a peer can make us hold.
``max_request_bytes`` (default 64 KiB)
    Our own check: a request whose *decrypted* payload is larger closes the connection with
    1009 before any handler runs (the largest legitimate payload is an id list of every
    symbol: 4 bytes per symbol). Must not exceed ``max_message_bytes``.
``max_sessions`` (default 1000)
    Concurrent WebSocket connections. One more is refused before the upgrade with HTTP 503
    (``Retry-After``); a connection that raced past that check is closed at once with 1013
    ("try again later"). 0 = unlimited.
``requests_per_second`` / ``request_burst`` (defaults 1000 / 2000)
    A token bucket per session. A request over the budget is answered, not executed, like a
    real server answers "too frequent requests": a trade request (cmd 12) gets code 0 with the
    u32 retcode 10024 ``TRADE_RETCODE_TOO_MANY_REQUESTS`` (spec 3.7.1: a non-zero code byte
    would read as a timeout on the official client), any other command gets code byte
    :data:`TOO_FREQUENT` (2, spec 1.7 "trade server not available": the real server's code
    is unknown [?]). The session stays open: the answer costs us less than a reconnect, and
    the outbound queue's backpressure already bounds memory. 0 = unlimited.
``login_failures_per_account`` / ``login_failures_per_peer`` (defaults 5 / 20)
    Failed logins (wrong password or OTP, unknown login) counted per account and per peer IP
    address within ``login_window_seconds`` (60); reaching the count locks that account or
    address out for ``login_lockout_seconds`` (60). A locked login is answered with code 3,
    exactly like a wrong password, and the lockout is logged once at WARNING with the account
    number or address (never a password or OTP). A success does not clear the peer's count.
    0 = no lockout.
``handshake_timeout`` (default 10 s)
    Time allowed for the HTTP upgrade and then for the bootstrap (cmd 0, spec 1.5); a
    connection that has not bootstrapped by then is closed (1008). 0 = no limit.
``idle_timeout`` (default 60 s)
    A connection from which nothing arrives for this long is closed (1001). The official
    client pings (cmd 51) every 5 s (spec 1.8), so only dead peers are dropped. 0 = never.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .accounts import Account, LockoutPolicy, record_strike

__all__ = ["Limits", "TokenBucket", "LoginGuard", "TOO_FREQUENT", "parse_limits"]

LOGGER = logging.getLogger("MetaTrader5.server")

#: spec 1.7 [?]: code byte answered to a non-trade request over the session's rate limit.
TOO_FREQUENT = 2

#: Peer addresses whose failed logins are remembered at most (oldest forgotten first).
_MAX_TRACKED_PEERS = 4096


@dataclass(frozen=True, slots=True)
class Limits:
    """Protective limits of one simulator (see the module docstring for each one)."""

    max_message_bytes: int = 1 << 20
    max_request_bytes: int = 64 * 1024
    max_sessions: int = 1000
    requests_per_second: float = 1000.0
    request_burst: int = 2000
    login_failures_per_account: int = 5
    login_failures_per_peer: int = 20
    login_window_seconds: float = 60.0
    login_lockout_seconds: float = 60.0
    handshake_timeout: float = 10.0
    idle_timeout: float = 60.0

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"limits: {item.name} must be a number, got {value!r}")
            if value < 0:
                raise ValueError(f"limits: {item.name} must be >= 0, got {value!r}")
        if self.max_message_bytes <= 0 or self.max_request_bytes <= 0:
            raise ValueError("limits: message and request sizes must be > 0")
        if self.max_request_bytes > self.max_message_bytes:
            raise ValueError("limits: max_request_bytes must not exceed max_message_bytes")
        if self.requests_per_second > 0 and self.request_burst < 1:
            raise ValueError("limits: request_burst must be >= 1 when rates are limited")

    def account_policy(self) -> LockoutPolicy:
        return self._policy(self.login_failures_per_account)

    def peer_policy(self) -> LockoutPolicy:
        return self._policy(self.login_failures_per_peer)

    def _policy(self, failures: int) -> LockoutPolicy:
        return LockoutPolicy(
            max_failures=int(failures),
            window_ms=round(self.login_window_seconds * 1000),
            lock_ms=round(self.login_lockout_seconds * 1000),
        )


def parse_limits(data: dict[str, Any]) -> Limits:
    """A ``[limits]`` table -> :class:`Limits`.

    Raises:
        ValueError: unknown key, wrong type or bad value (the message names the key).
    """
    known = {item.name: item for item in dataclasses.fields(Limits)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        item = known.get(key)
        if item is None:
            raise ValueError(f"unknown key {key!r}; allowed: {', '.join(sorted(known))}")
        whole = item.type in ("int", int)
        ok = isinstance(value, int) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            raise ValueError(f"{key} must be {'an integer' if whole else 'a number'}, "
                             f"got {value!r}")
        values[key] = value
    return Limits(**values)


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; one token per request."""

    __slots__ = ("_stamp", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._stamp = now

    def take(self, now: float) -> bool:
        """Spend one token if there is one (``now`` on a monotonic clock, in seconds)."""
        if self.rate <= 0:
            return True
        tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if tokens < 1.0:
            self._tokens = tokens
            return False
        self._tokens = tokens - 1.0
        return True


@dataclass(slots=True)
class _PeerStrikes:
    """Failed-login bookkeeping of one peer address (the ``accounts.Strikes`` fields)."""

    failed_logins: int = 0
    first_failure_ms: int = 0
    locked_until_ms: int = 0


class LoginGuard:
    """Login lockouts per account (kept on the :class:`Account`) and per peer address."""

    def __init__(self, limits: Limits) -> None:
        self._account_policy = limits.account_policy()
        self._peer_policy = limits.peer_policy()
        self._peers: OrderedDict[str, _PeerStrikes] = OrderedDict()

    def refuses(self, peer: str, account: Account | None, now_ms: int) -> bool:
        """Whether a login from ``peer`` to ``account`` is locked out right now."""
        record = self._peers.get(peer)
        if record is not None and now_ms < record.locked_until_ms:
            return True
        return account is not None and account.is_locked(now_ms)

    def failed(self, peer: str, account: Account | None, login: int, now_ms: int) -> None:
        """Count a failed login against the peer and (if it exists) the account."""
        if account is not None and account.record_login_failure(now_ms, self._account_policy):
            policy = self._account_policy
            LOGGER.warning(
                "login lockout: account %d locked for %d s after %d failed logins in %d s "
                "(last from %s)",
                login, policy.lock_ms // 1000, policy.max_failures, policy.window_ms // 1000,
                peer,
            )
        record = self._peers.get(peer)
        if record is None:
            record = self._peers[peer] = _PeerStrikes()
            while len(self._peers) > _MAX_TRACKED_PEERS:
                self._peers.popitem(last=False)
        else:
            self._peers.move_to_end(peer)
        if record_strike(record, now_ms, self._peer_policy):
            policy = self._peer_policy
            LOGGER.warning(
                "login lockout: address %s locked for %d s after %d failed logins in %d s",
                peer, policy.lock_ms // 1000, policy.max_failures, policy.window_ms // 1000,
            )
