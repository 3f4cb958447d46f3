"""errors.py: the code/text table, the exception table and the last_error store."""

from __future__ import annotations

import pytest

from MetaTrader5 import errors as E  # noqa: N812


@pytest.mark.parametrize(
    ("exc", "pair"),
    [
        (E.NotConnectedError(), (-10004, "No IPC connection")),
        (
            E.InitializeError("MetaTrader 5 x64 not found"),
            (-10003, "IPC initialize failed, MetaTrader 5 x64 not found"),
        ),
        (E.CallTimeoutError(), (-10005, "IPC timeout")),
        (E.ConnectionLostError(), (-10002, "IPC recv failed")),
        (E.SendFailedError(), (-10001, "IPC send failed")),
        (E.InternalCallError(), (-10000, "IPC call failed")),
        (E.CallFailedError(), (-1, "Terminal: Call failed")),
        (E.InvalidParamsError(), (-2, "Terminal: Invalid params")),
        (E.NoMemoryError(), (-3, "Terminal: Out of memory")),
        (E.NotFoundError(), (-4, "Terminal: Not found")),
        (E.AuthorizationError(), (-6, "Terminal: Authorization failed")),
        (E.UnsupportedError(), (-7, "Terminal: Unsupported function")),
        (
            E.OtpRequiredError(),
            (-7, "Unsupported authorization mode, OTP or certificate password needed"),
        ),
        (
            E.AutoTradingDisabledError(),
            (-8, "Auto-Trading using Python API disabled in Terminal"),
        ),
        (E.TerminalError(code=-99), (-99, "Terminal: Call failed")),
        (E.TerminalError(code=-5), (-5, E.ERROR_TEXTS[-5])),
        (TimeoutError(), (-10005, "IPC timeout")),
        (ConnectionResetError(), (-10002, "IPC recv failed")),
    ],
)
def test_error_for_maps_through_the_table(exc: BaseException, pair: tuple[int, str]) -> None:
    assert E.error_for(exc) == pair


def test_subclass_of_a_mapped_type_uses_the_nearest_entry() -> None:
    class LowerLayerTimeout(E.CallTimeoutError):
        pass

    class Unlisted(E.Mt5WebError):
        pass

    assert E.error_for(LowerLayerTimeout()) == (-10005, "IPC timeout")
    assert E.error_for(Unlisted()) == (-10000, "IPC call failed")


def test_unmapped_exceptions_are_not_translated() -> None:
    assert E.error_for(KeyError("bug")) is None
    assert E.error_for(ValueError()) is None


def test_last_error_store_transitions() -> None:
    store = E.LastError()
    assert store.get() == (0, "")
    store.success()
    assert store.get() == (1, "Success")
    store.set(-2, "Invalid arguments")
    assert store.get() == (-2, "Invalid arguments")


def test_unlisted_negative_code_text() -> None:
    assert E.error_text(-8) == "Terminal: Call failed"
    assert E.error_text(-12345) == "Terminal: Call failed"
    assert E.error_text(1) == "Success"
