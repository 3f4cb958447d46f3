"""Account configuration, credentials and login bookkeeping."""

from __future__ import annotations

import pytest

from MetaTrader5.server.accounts import Account, AccountConfig, AccountError, LoginKind


def test_config_repr_hides_secrets() -> None:
    config = AccountConfig(login=1, password="hunter2", otp_secret="JBSWY3DP",
                           investor_password="view")
    text = repr(config) + repr(Account.from_config(config))
    assert "hunter2" not in text and "JBSWY3DP" not in text and "view" not in text


def test_password_kinds() -> None:
    account = Account.from_config(AccountConfig(login=1, password="m", investor_password="i"))
    assert account.check_password("m") == LoginKind.MASTER
    assert account.check_password("i") == LoginKind.INVESTOR
    assert account.check_password("x") is None
    assert account.margin_mode == 2 and account.hedging


def test_netting_and_bad_configs() -> None:
    assert Account.from_config(AccountConfig(login=1, password="p", margin_mode="netting")) \
        .margin_mode == 0
    with pytest.raises(AccountError):
        Account.from_config(AccountConfig(login=1, password="p", margin_mode="both"))
    with pytest.raises(AccountError):
        Account.from_config(AccountConfig(login=1, password="p", leverage=0))


def test_lockout_after_failures() -> None:
    account = Account.from_config(AccountConfig(login=1, password="p"))
    for _ in range(5):
        account.record_login_failure(1000)
    assert account.is_locked(1001) and not account.is_locked(1000 + 60_001)
    account.record_login_success(2000)
    assert not account.is_locked(2001) and account.last_login_ms == 2000
