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


def _lazy_class(dotted: str) -> type[BaseException]:
    import importlib

    module, _, name = dotted.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type) and issubclass(found, BaseException), dotted
    return found


def test_every_lazily_named_entry_is_a_real_exception_class() -> None:
    names = [key for key in E.ERROR_TABLE if isinstance(key, str)]
    assert names, "the client and bridge entries are missing"
    for dotted in names:
        cls = _lazy_class(dotted)
        assert f"{cls.__module__}.{cls.__qualname__}" == dotted


def test_client_bridge_and_protocol_exceptions_map_to_official_codes() -> None:
    from MetaTrader5 import _bridge
    from MetaTrader5.client import errors as C  # noqa: N812
    from MetaTrader5.protocol import exceptions as P  # noqa: N812

    cases: list[tuple[BaseException, tuple[int, str]]] = [
        (_bridge.BridgeTimeoutError("late"), (-10005, "IPC timeout")),
        (_bridge.BridgeClosedError("stopped"), (-10004, "No IPC connection")),
        (C.NotConnectedError("lost"), (-10004, "No IPC connection")),
        (C.ConnectionClosedError("closed"), (-10004, "No IPC connection")),
        (C.ConnectionLostError("dropped"), (-10002, "IPC recv failed")),
        (C.RequestTimeoutError(3, 1.0), (-10005, "IPC timeout")),
        (C.AuthenticationError(3), (-6, "Terminal: Authorization failed")),
        (
            C.OtpRequiredError(5),
            (-7, "Unsupported authorization mode, OTP or certificate password needed"),
        ),
        (C.ServerError(3, 1), (-1, "Terminal: Call failed")),
        (C.ValidationError("volume", "too small"), (-2, "Terminal: Invalid params")),
        (C.SymbolNotFoundError("XXX"), (-1, "Terminal: Call failed")),
        (C.TradeRejectedError(10013), (-1, "Terminal: Call failed")),
        (P.RemoteProtocolError("garbage"), (-10002, "IPC recv failed")),
        (P.LocalProtocolError("our bug"), (-10000, "IPC call failed")),
    ]
    for exc, pair in cases:
        assert E.error_for(exc) == pair, type(exc).__name__


def test_an_unknown_exception_is_not_translated() -> None:
    assert E.error_for(KeyError("bug")) is None
    assert E.error_for(AttributeError("bug")) is None
