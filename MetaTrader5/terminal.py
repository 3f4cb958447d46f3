"""Terminal: the synchronous official API of one session; the module functions use a default one.

Every method follows the same path (ARCHITECTURE rule 3): reset ``last_error`` to
``(1, 'Success')``, validate the arguments (``_arguments``), call ONE method of the
``Session`` seam (``_session``), and turn an exception into the function's sentinel plus
``last_error`` through ``errors.error_for`` - never raising for a connection problem. The
only exceptions that escape are CPython's own (calling-convention ``TypeError`` and the
``SystemError`` quirk of API.md 2.6), reproduced on purpose.

One ``Terminal`` is one session (one account); create several to drive several accounts
from one process, each with its own ``last_error()``. A Terminal is a context manager whose
exit calls ``shutdown()``::

    with MetaTrader5.Terminal() as demo:
        demo.initialize(login=5000001, password="...")
        print(demo.account_info())

Beyond the official methods a Terminal has our opt-in extras (``on_tick``, ``on_book``,
``on_trade``, ``on_disconnect``, ``server_time_offset``, ``server_time_to_utc``); they follow
the same sentinel + ``last_error()`` conventions and never change an official method.

Methods take ``*args, **kwargs`` because the official functions are C functions whose
TypeErrors (``takes no keyword arguments``, ``takes no arguments (N given)``) a Python
signature with ``/`` markers would word differently (API.md 2.1). ``__doc__`` of every
function is the official C docstring.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Concatenate, Final, ParamSpec, TypeVar

from . import _arguments as rules
from ._docstrings import OFFICIAL_DOCSTRINGS
from ._group_filter import filter_by_group
from .errors import LastError, NotConnectedError, NotFoundError, error_for

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._session import Listener, Session
    from .records import (
        AccountInfo,
        BookInfo,
        OrderCheckResult,
        OrderSendResult,
        SymbolInfo,
        TerminalInfo,
        Tick,
        TradeDeal,
        TradeOrder,
        TradePosition,
    )

__all__ = ["Terminal", "default_terminal", "module_function", "OFFICIAL_DOCSTRINGS"]

_P = TypeVar("_P")
_R = TypeVar("_R")
_S = TypeVar("_S")
_Params = ParamSpec("_Params")
_FAILED_VERSION: Final = (0, 0, "")
_symbol_of = attrgetter("symbol")

class Terminal:
    """The synchronous official API over one session; same conventions as the module."""

    __slots__ = ("_last_error", "_lifecycle", "_session")

    def __init__(self) -> None:
        self._last_error = LastError()
        self._session: Session | None = None
        # initialize/login/shutdown replace the session; calls in flight keep the one they
        # read (a closed session answers them with the official "no connection" sentinel).
        self._lifecycle = threading.RLock()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<MetaTrader5.Terminal {'connected' if self._session else 'not connected'}>"

    # -- the one path every call takes ------------------------------------------------

    def _run(
        self,
        name: str,
        parse: Callable[[], _P],
        operation: Callable[[_P], _R],
        sentinel: _S,
        arg_sentinel: _S,
        *,
        silent: bool = False,
    ) -> _R | _S:
        """Reset last_error, validate, call the session, map failures (API.md 2.2)."""
        last = self._last_error
        last.success()
        try:
            parsed = parse()
        except rules.ArgumentError as exc:
            last.set(-2, exc.text)
            return arg_sentinel
        except rules.ParseTupleError as exc:
            # API.md 2.6: the official returns with the parser's error still set.
            last.set(-2, rules.INVALID_ARGUMENTS)
            message = f"<built-in function {name}> returned a result with an exception set"
            raise SystemError(message) from exc.cause
        try:
            return operation(parsed)
        except Exception as exc:
            pair = error_for(exc)
            if pair is None:
                raise  # not a failure we translate: a bug must stay visible
            if not silent:  # market_book_add/release keep last_error (API.md 4)
                last.set(*pair)
            return sentinel

    def _require(self) -> Session:
        session = self._session
        if session is None:
            raise NotConnectedError
        return session

    def _close(self) -> None:
        with self._lifecycle:
            session, self._session = self._session, None
        if session is None:
            return
        try:
            session.close()
        except Exception as exc:
            if error_for(exc) is None:
                raise

    def _open(self, parsed: rules.InitializeArgs) -> bool:
        # The session layer (and logging with it) loads on the first initialize(), so that
        # ``import MetaTrader5`` stays close to ``import numpy`` (docs/benchmarks.rst P5).
        from ._session import open_session  # noqa: PLC0415

        with self._lifecycle:
            self._close()  # initialize() first closes an existing connection (API.md 3)
            self._session = open_session(*parsed)
        return True

    def _login(self, parsed: rules.LoginArgs) -> bool:
        with self._lifecycle:
            self._require().login(*parsed)
        return True

    def _simple(self, name: str, args: Any, kwargs: Any, sentinel: Any) -> Any:
        rules.reject_arguments(name, args, kwargs)
        return self._run(
            name, _nothing, lambda _: getattr(self._require(), name)(), sentinel, sentinel
        )

    def _symbol_call(self, name: str, args: Any, kwargs: Any) -> Any:
        rules.reject_keywords(name, kwargs)
        return self._run(
            name,
            lambda: rules.parse_symbol(args),
            lambda symbol: getattr(self._require(), name)(symbol),  # noqa: PLW0108
            None,
            None,
        )

    def _copy(self, name: str, args: Any, kwargs: Any, msc: bool) -> NDArray[np.void] | None:
        rules.reject_keywords(name, kwargs)

        def operation(values: tuple[Any, ...]) -> NDArray[np.void]:
            if msc:  # tick dates go out in milliseconds (API.md 2.3)
                values = (values[0], values[1] * 1000, *values[2:])
                if name == "copy_ticks_range":
                    values = (*values[:2], values[2] * 1000, values[3])
            result: NDArray[np.void] = getattr(self._require(), name)(*values)
            return result

        return self._run(name, lambda: rules.parse_copy(name, args), operation, None, None)

    def _trades(self, name: str, args: Any, kwargs: Any) -> Any:

        def operation(found: rules.TradeFilter) -> Any:
            try:
                items = getattr(self._require(), name)(symbol=found.symbol, ticket=found.ticket)
            except Exception as exc:
                if found.ticket is None or not _is_not_found(exc):
                    raise
                return ()  # ticket not found -> () with (1, 'Success') (API.md 4)
            if found.group is not None:
                return filter_by_group(items, found.group, _symbol_of)
            return items

        parse = lambda: rules.parse_trade_filter(args, kwargs)  # noqa: E731
        return self._run(name, parse, operation, None, None)

    def _history(self, name: str, args: Any, kwargs: Any) -> Any:

        def operation(query: rules.HistoryQuery) -> Any:
            try:
                items = getattr(self._require(), name)(
                    query.date_from,
                    query.date_to,
                    ticket=query.ticket,
                    position=query.position,
                )
            except Exception as exc:
                if (query.ticket is None and query.position is None) or not _is_not_found(exc):
                    raise
                return ()
            if query.group is not None:
                return filter_by_group(items, query.group, _symbol_of)
            return items

        parse = lambda: rules.parse_history_get(args, kwargs)  # noqa: E731
        return self._run(name, parse, operation, None, None)

    def _history_total(self, name: str, args: Any, kwargs: Any) -> int | None:
        rules.reject_keywords(name, kwargs)
        parse = lambda: rules.parse_history_range(args)  # noqa: E731
        return self._run(name, parse, lambda r: getattr(self._require(), name)(*r), None, None)

    # -- lifecycle ----------------------------------------------------------------------

    def initialize(self, *args: Any, **kwargs: Any) -> bool:
        parse = lambda: rules.parse_initialize(args, kwargs)  # noqa: E731
        return self._run("initialize", parse, self._open, False, False)

    def login(self, *args: Any, **kwargs: Any) -> bool:
        parse = lambda: rules.parse_login(args, kwargs)  # noqa: E731
        return self._run("login", parse, self._login, False, False)

    def shutdown(self, *args: Any, **kwargs: Any) -> bool:
        rules.reject_arguments("shutdown", args, kwargs)
        self._last_error.success()
        self._close()
        return True

    def version(self, *args: Any, **kwargs: Any) -> tuple[int, int, str]:
        return self._simple("version", args, kwargs, _FAILED_VERSION)  # type: ignore[no-any-return]

    def last_error(self, *args: Any, **kwargs: Any) -> tuple[int, str]:
        rules.reject_arguments("last_error", args, kwargs)
        return self._last_error.get()

    # -- account, terminal, symbols -----------------------------------------------------

    def account_info(self, *args: Any, **kwargs: Any) -> AccountInfo | None:
        return self._simple("account_info", args, kwargs, None)  # type: ignore[no-any-return]

    def terminal_info(self, *args: Any, **kwargs: Any) -> TerminalInfo | None:
        return self._simple("terminal_info", args, kwargs, None)  # type: ignore[no-any-return]

    def symbols_total(self, *args: Any, **kwargs: Any) -> int | None:
        return self._simple("symbols_total", args, kwargs, None)  # type: ignore[no-any-return]

    def symbols_get(self, *args: Any, **kwargs: Any) -> tuple[SymbolInfo, ...] | bool | None:
        parse = lambda: rules.parse_symbols_get(args, kwargs)  # noqa: E731
        operation = lambda group: self._require().symbols_get(group)  # noqa: E731
        # API.md 4: argument errors return False, terminal errors None.
        result: tuple[SymbolInfo, ...] | bool | None
        result = self._run("symbols_get", parse, operation, None, False)
        return result

    def symbol_info(self, *args: Any, **kwargs: Any) -> SymbolInfo | None:
        return self._symbol_call("symbol_info", args, kwargs)  # type: ignore[no-any-return]

    def symbol_info_tick(self, *args: Any, **kwargs: Any) -> Tick | None:
        return self._symbol_call("symbol_info_tick", args, kwargs)  # type: ignore[no-any-return]

    def symbol_select(self, *args: Any, **kwargs: Any) -> bool:
        rules.reject_keywords("symbol_select", kwargs)

        def operation(parsed: tuple[str, bool]) -> bool:
            self._require().symbol_select(*parsed)
            return True

        parse = lambda: rules.parse_symbol_select(args)  # noqa: E731
        return self._run("symbol_select", parse, operation, False, False)

    def _book(self, name: str, args: Any, kwargs: Any) -> bool | None:
        rules.reject_keywords(name, kwargs)

        def operation(symbol: str) -> bool:
            getattr(self._require(), name)(symbol)
            return True

        parse = lambda: rules.parse_symbol(args)  # noqa: E731
        # API.md 4: bad arguments -> None; terminal failure -> False, last_error untouched.
        return self._run(name, parse, operation, False, None, silent=True)

    def market_book_add(self, *args: Any, **kwargs: Any) -> bool | None:
        return self._book("market_book_add", args, kwargs)

    def market_book_get(self, *args: Any, **kwargs: Any) -> tuple[BookInfo, ...] | None:
        return self._symbol_call("market_book_get", args, kwargs)  # type: ignore[no-any-return]

    def market_book_release(self, *args: Any, **kwargs: Any) -> bool | None:
        return self._book("market_book_release", args, kwargs)

    # -- history of prices --------------------------------------------------------------

    def copy_rates_from(self, *args: Any, **kwargs: Any) -> NDArray[np.void] | None:
        return self._copy("copy_rates_from", args, kwargs, msc=False)

    def copy_rates_from_pos(self, *args: Any, **kwargs: Any) -> NDArray[np.void] | None:
        return self._copy("copy_rates_from_pos", args, kwargs, msc=False)

    def copy_rates_range(self, *args: Any, **kwargs: Any) -> NDArray[np.void] | None:
        return self._copy("copy_rates_range", args, kwargs, msc=False)

    def copy_ticks_from(self, *args: Any, **kwargs: Any) -> NDArray[np.void] | None:
        return self._copy("copy_ticks_from", args, kwargs, msc=True)

    def copy_ticks_range(self, *args: Any, **kwargs: Any) -> NDArray[np.void] | None:
        return self._copy("copy_ticks_range", args, kwargs, msc=True)

    # -- trading ------------------------------------------------------------------------

    def orders_total(self, *args: Any, **kwargs: Any) -> int | None:
        return self._simple("orders_total", args, kwargs, None)  # type: ignore[no-any-return]

    def orders_get(self, *args: Any, **kwargs: Any) -> tuple[TradeOrder, ...] | None:
        return self._trades("orders_get", args, kwargs)  # type: ignore[no-any-return]

    def _calc(self, name: str, fmt: str, args: Any, kwargs: Any) -> float | None:
        rules.reject_keywords(name, kwargs)
        parse = lambda: rules.parse_order_calc(args, fmt)  # noqa: E731
        return self._run(name, parse, lambda v: getattr(self._require(), name)(*v), None, None)

    def order_calc_margin(self, *args: Any, **kwargs: Any) -> float | None:
        return self._calc("order_calc_margin", "kOdd", args, kwargs)

    def order_calc_profit(self, *args: Any, **kwargs: Any) -> float | None:
        return self._calc("order_calc_profit", "kOddd", args, kwargs)

    def order_check(self, *args: Any, **kwargs: Any) -> OrderCheckResult | None:
        parse = lambda: rules.parse_request(args, kwargs)  # noqa: E731
        operation = lambda request: self._require().order_check(request)  # noqa: E731
        return self._run("order_check", parse, operation, None, None)

    def order_send(self, *args: Any, **kwargs: Any) -> OrderSendResult | None:
        parse = lambda: rules.parse_request(args, kwargs)  # noqa: E731
        operation = lambda request: self._require().order_send(request)  # noqa: E731
        return self._run("order_send", parse, operation, None, None)

    def positions_total(self, *args: Any, **kwargs: Any) -> int | None:
        return self._simple("positions_total", args, kwargs, None)  # type: ignore[no-any-return]

    def positions_get(self, *args: Any, **kwargs: Any) -> tuple[TradePosition, ...] | None:
        return self._trades("positions_get", args, kwargs)  # type: ignore[no-any-return]

    def history_orders_total(self, *args: Any, **kwargs: Any) -> int | None:
        return self._history_total("history_orders_total", args, kwargs)

    def history_orders_get(self, *args: Any, **kwargs: Any) -> tuple[TradeOrder, ...] | None:
        return self._history("history_orders_get", args, kwargs)  # type: ignore[no-any-return]

    def history_deals_total(self, *args: Any, **kwargs: Any) -> int | None:
        return self._history_total("history_deals_total", args, kwargs)

    def history_deals_get(self, *args: Any, **kwargs: Any) -> tuple[TradeDeal, ...] | None:
        return self._history("history_deals_get", args, kwargs)  # type: ignore[no-any-return]

    # -- extras (ours; opt-in, official methods unaffected) -------------------------------

    def _listen(self, topic: str, callback: Any, key: Any) -> Listener | None:
        if not callable(callback):
            raise TypeError(f"on_{topic}() needs a callable, got {type(callback).__name__}")
        if key is not None and not isinstance(key, str):
            raise TypeError(f"on_{topic}() symbol must be a str, got {type(key).__name__}")
        operation = lambda _: self._require().listen(topic, callback, key)  # noqa: E731
        return self._run(f"on_{topic}", _nothing, operation, None, None)

    def on_tick(
        self, callback: Callable[[Tick], Any], symbol: str | None = None
    ) -> Listener | None:
        """Call ``callback(tick)`` for every tick pushed (of ``symbol``, or of every selected one).

        A given ``symbol`` is subscribed to. Callbacks run on the bridge thread: keep them
        short and do not call the blocking module functions from them (they would return
        their sentinel with ``(-10004, 'No IPC connection')``). Returns a ``Listener``
        (``.cancel()``, context manager), or None plus ``last_error()`` when not connected.
        """
        return self._listen("tick", callback, symbol)

    def on_book(
        self, callback: Callable[[tuple[BookInfo, ...]], Any], symbol: str
    ) -> Listener | None:
        """Call ``callback(book)`` for every depth-of-market push of ``symbol`` (see on_tick)."""
        return self._listen("book", callback, symbol)

    def on_trade(self, callback: Callable[[Any], Any]) -> Listener | None:
        """Call ``callback(update)`` for every trade update of the account (see on_tick)."""
        return self._listen("trade", callback, None)

    def on_disconnect(self, callback: Callable[[BaseException], Any]) -> Listener | None:
        """Call ``callback(reason)`` once when the connection is lost or closed (see on_tick)."""
        return self._listen("disconnect", callback, None)

    def server_time_offset(self) -> int | None:
        """The trade server's offset from UTC in seconds (``server time = UTC + offset``).

        Official times (rates, ticks, deals) are the server's wall clock written as epoch
        seconds; subtract this offset to get true UTC. None plus ``last_error()`` when not
        connected.
        """
        operation = lambda _: self._require().server_time_offset()  # noqa: E731
        return self._run("server_time_offset", _nothing, operation, None, None)

    def server_time_to_utc(self, value: float) -> _dt.datetime | None:
        """Convert a server-time epoch value (seconds) to an aware UTC ``datetime``."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"server_time_to_utc() needs seconds, got {type(value).__name__}")
        offset = self.server_time_offset()
        if offset is None:
            return None
        return _dt.datetime.fromtimestamp(value - offset, _dt.UTC)


def _nothing() -> None:
    return None


def _is_not_found(exc: BaseException) -> bool:
    """Whether ``exc`` means "no such ticket" (-4), whichever layer raised it (errors table)."""
    pair = error_for(exc)
    return pair is not None and pair[0] == NotFoundError.default_code


for _name, _doc in OFFICIAL_DOCSTRINGS.items():
    getattr(Terminal, _name).__doc__ = _doc


_DEFAULT: list[Terminal] = []
_DEFAULT_LOCK = threading.Lock()


def default_terminal() -> Terminal:
    """The process-wide Terminal behind the module functions (created on first use)."""
    if not _DEFAULT:
        with _DEFAULT_LOCK:
            if not _DEFAULT:
                _DEFAULT.append(Terminal())
    return _DEFAULT[0]


def module_function(
    method: Callable[Concatenate[Terminal, _Params], _R],
) -> Callable[_Params, _R]:
    """Wrap a Terminal method as a module function acting on the default terminal."""

    def function(*args: _Params.args, **kwargs: _Params.kwargs) -> _R:
        return method(default_terminal(), *args, **kwargs)

    function.__name__ = function.__qualname__ = method.__name__
    function.__doc__ = method.__doc__
    function.__module__ = "MetaTrader5"
    return function
