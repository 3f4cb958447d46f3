"""Simulated trading accounts: their configuration, money state, credentials and login bookkeeping.

``AccountConfig`` is what the config file describes; ``Account`` is the live, mutable state
the engine trades on (balance, credit, commission accruals, stop-out levels, rights). Passwords
and OTP secrets never appear in a repr and are only compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any, Protocol

from MetaTrader5.trademath.specs import AccountTerms

__all__ = [
    "MARGIN_MODES",
    "Account",
    "AccountConfig",
    "AccountError",
    "LockoutPolicy",
    "LoginKind",
    "Strikes",
    "record_strike",
]

#: Config names of the margin modes -> ACCOUNT_MARGIN_MODE_* (spec 4.6).
MARGIN_MODES: dict[str, int] = {"netting": 0, "exchange": 1, "hedging": 2}

#: Failed logins within WINDOW_MS after which an account refuses logins for LOCK_MS.
MAX_FAILED_LOGINS = 5
WINDOW_MS = 60_000
LOCK_MS = 60_000


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """``max_failures`` failed logins within ``window_ms`` lock for ``lock_ms`` (0 = never)."""

    max_failures: int = MAX_FAILED_LOGINS
    window_ms: int = WINDOW_MS
    lock_ms: int = LOCK_MS


#: The policy of an account when the server's limits say nothing else.
DEFAULT_LOCKOUT = LockoutPolicy()


class Strikes(Protocol):
    """Failed-login bookkeeping: an :class:`Account`, or a peer address (``limits.py``)."""

    failed_logins: int
    first_failure_ms: int
    locked_until_ms: int


def record_strike(record: Strikes, now_ms: int, policy: LockoutPolicy) -> bool:
    """Count one failed login against ``record``; True when this failure starts a lockout.

    Failures older than the window are forgotten (the window starts at the first failure
    counted), so a slow trickle of typos never locks anybody out.
    """
    if policy.max_failures <= 0:
        return False
    if record.failed_logins == 0 or now_ms - record.first_failure_ms > policy.window_ms:
        record.failed_logins = 0
        record.first_failure_ms = now_ms
    record.failed_logins += 1
    if record.failed_logins < policy.max_failures:
        return False
    record.locked_until_ms = now_ms + policy.lock_ms
    record.failed_logins = 0
    return True


class AccountError(ValueError):
    """An account configuration is invalid."""


class LoginKind:
    """Which password matched (master trades, investor only reads)."""

    MASTER = "master"
    INVESTOR = "investor"


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One account as the config file describes it (the loader constructs it by keyword)."""

    login: int
    password: str = field(repr=False)
    currency: str = "USD"
    leverage: int = 100
    margin_mode: str = "hedging"
    balance: float = 100000.0
    otp_secret: str | None = field(default=None, repr=False)
    name: str = "Demo Trader"
    investor_password: str | None = field(default=None, repr=False)


def _same(secret: str, given: str) -> bool:
    return hmac.compare_digest(secret.encode("utf-8"), given.encode("utf-8"))


@dataclass(slots=True)
class Account:
    """Live state of one account. Money is in the account currency."""

    login: int
    password: str = field(repr=False)
    currency: str = "USD"
    leverage: int = 100
    margin_mode: int = 2  # ACCOUNT_MARGIN_MODE_*
    balance: float = 0.0
    credit: float = 0.0
    name: str = "Demo Trader"
    investor_password: str | None = field(default=None, repr=False)
    otp_secret: str | None = field(default=None, repr=False)
    currency_digits: int = 2
    #: Commission accrued but not yet charged (spec 3.6.3 deal records carry both).
    commission_daily: float = 0.0
    commission_monthly: float = 0.0
    margin_so_mode: int = 0  # ACCOUNT_STOPOUT_MODE_PERCENT
    margin_so_call: float = 100.0
    margin_so_so: float = 50.0
    #: How floating P/L enters free margin (spec 4.9): 0 none, 1 all, 2 only profit, 3 only loss.
    margin_free_mode: int = 1
    #: spec 4.9: 3 subtracts a positive ``acc_profit`` from equity and free margin; 0 does not.
    margin_free_profit_mode: int = 0
    #: Rights bit mask as in the account record: bit 4 set = trading disabled (spec 4.8).
    rights: int = 0
    failed_logins: int = 0
    first_failure_ms: int = 0
    locked_until_ms: int = 0
    last_login_ms: int = 0

    @classmethod
    def from_config(cls, config: AccountConfig) -> Account:
        """Build the live account; raises AccountError for an unknown margin mode or bad values."""
        mode = MARGIN_MODES.get(config.margin_mode.strip().lower())
        if mode is None:
            raise AccountError(
                f"account {config.login}: margin_mode must be one of {sorted(MARGIN_MODES)}"
            )
        if config.leverage <= 0:
            raise AccountError(f"account {config.login}: leverage must be positive")
        if config.login <= 0:
            raise AccountError("account login must be a positive integer")
        currency = config.currency.strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise AccountError(f"account {config.login}: currency must be a 3-letter code")
        return cls(
            login=config.login,
            password=config.password,
            currency=currency,
            leverage=config.leverage,
            margin_mode=mode,
            balance=0.0,
            name=config.name,
            investor_password=config.investor_password,
            otp_secret=config.otp_secret,
        )

    @property
    def hedging(self) -> bool:
        return self.margin_mode == MARGIN_MODES["hedging"]

    @property
    def trade_allowed(self) -> bool:
        return not self.rights & 4

    def terms(self) -> AccountTerms:
        """The margin terms trademath needs for this account."""
        return AccountTerms(
            currency=self.currency,
            leverage=self.leverage,
            margin_mode=self.margin_mode,
            currency_digits=self.currency_digits,
            margin_free_mode=self.margin_free_mode,
            margin_free_profit_mode=self.margin_free_profit_mode,
            margin_so_mode=self.margin_so_mode,
            margin_so_call=self.margin_so_call,
            margin_so_so=self.margin_so_so,
        )

    def check_password(self, password: str) -> str | None:
        """Return LoginKind.MASTER / INVESTOR for a matching password, else None.

        Both secrets are always compared, in constant time, so timing reveals neither.
        """
        master = _same(self.password, password)
        investor = self.investor_password is not None and _same(self.investor_password, password)
        if master:
            return LoginKind.MASTER
        if investor:
            return LoginKind.INVESTOR
        return None

    def is_locked(self, now_ms: int) -> bool:
        """Whether too many failed logins currently block this account."""
        return now_ms < self.locked_until_ms

    def record_login_failure(self, now_ms: int, policy: LockoutPolicy = DEFAULT_LOCKOUT) -> bool:
        """Count a failed login (see :func:`record_strike`); True when the account just locked."""
        return record_strike(self, now_ms, policy)

    def record_login_success(self, now_ms: int) -> None:
        self.failed_logins = 0
        self.locked_until_ms = 0
        self.last_login_ms = now_ms

    def to_dict(self) -> dict[str, Any]:
        """Every field, for the state file (which therefore holds secrets: it is written 0600)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Account:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
