"""The official argument rules: calling conventions, types, lengths, dates, request dicts.

Everything here is pure: each ``parse_*`` function takes the raw ``args``/``kwargs`` of one
module function and returns the validated values, or raises

* ``TypeError`` for CPython calling-convention errors (API.md 2.1) - raised before the
  official function body runs, so ``last_error`` is left untouched;
* :class:`ArgumentError` for the module's own checks (code -2 with a specific text, API.md
  2.2/2.4/2.5);
* :class:`ParseTupleError` where the official uses ``PyArg_ParseTuple`` and the parser
  fails: the official then returns with the parser's exception still set, which CPython
  turns into ``SystemError`` (API.md 2.6). The terminal layer reproduces that.
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from .records import TradeRequest

__all__ = [
    "ArgumentError",
    "ParseTupleError",
    "INVALID_ARGUMENTS",
    "reject_keywords",
    "reject_arguments",
    "utf16_units",
    "to_date",
    "parse_tuple",
    "InitializeArgs",
    "LoginArgs",
    "parse_initialize",
    "parse_login",
    "parse_symbols_get",
    "parse_symbol",
    "parse_symbol_arg",
    "parse_symbol_select",
    "parse_copy",
    "parse_order_calc",
    "TradeFilter",
    "parse_trade_filter",
    "parse_history_range",
    "HistoryQuery",
    "parse_history_get",
    "parse_request",
]

INVALID_ARGUMENTS: Final = "Invalid arguments"

# API.md 2.4: maximum lengths in UTF-16 code units (the symbol check is len+1 < 31).
SYMBOL_MAX: Final = 29
GROUP_MAX: Final = 1997
PATH_MAX: Final = 257
CREDENTIAL_MAX: Final = 253
DEFAULT_TIMEOUT_MS: Final = 60000

_INT32 = (-(2**31), 2**31 - 1)  # C long on Windows (the official build)
_UINT32_LIMIT = 2**32
_INT64_MIN = -(2**63)
_UINT64_LIMIT = 2**64
_ORDINALS = ("1st", "2nd", "3rd")


class ArgumentError(Exception):
    """A module-level argument check failed; ``text`` goes to ``last_error`` with code -2."""

    def __init__(self, text: str = INVALID_ARGUMENTS) -> None:
        super().__init__(text)
        self.text = text


class ParseTupleError(Exception):
    """``PyArg_ParseTuple`` failed; ``cause`` is the exception it left pending (API.md 2.6)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def reject_keywords(name: str, kwargs: Mapping[str, object]) -> None:
    """METH_VARARGS: any keyword raises CPython's TypeError (API.md 2.1)."""
    if kwargs:
        raise TypeError(f"{name}() takes no keyword arguments")


def reject_arguments(name: str, args: Sequence[object], kwargs: Mapping[str, object]) -> None:
    """METH_NOARGS: keywords are refused first, then positionals (CPython's order)."""
    reject_keywords(name, kwargs)
    if args:
        raise TypeError(f"{name}() takes no arguments ({len(args)} given)")


def utf16_units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit the official limits count)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _is_str(value: object, limit: int) -> bool:
    return isinstance(value, str) and utf16_units(value) <= limit


def _is_int(value: object, low: int = _INT64_MIN, limit: int = _UINT64_LIMIT) -> bool:
    # Real ints only (bool included); numpy integers are rejected like the official (2.4).
    return isinstance(value, int) and low <= value < limit


def to_date(value: object) -> int:
    """Convert a date argument to whole seconds since the epoch (API.md 2.3).

    int as is (a C long: outside int32 the official overflows -> SystemError); float
    truncated toward zero; ``datetime`` and subclasses (pandas.Timestamp) through their
    own ``.timestamp()`` - naive stdlib datetimes are therefore LOCAL time. Anything else
    (date, numpy.int64, numpy.datetime64, str, None) -> ``'Invalid arguments'``.
    """
    if isinstance(value, int):
        if not _INT32[0] <= value <= _INT32[1]:
            raise ParseTupleError(OverflowError("Python int too large to convert to C long"))
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ArgumentError
        return int(value)
    if isinstance(value, _dt.datetime):
        return int(value.timestamp())
    raise ArgumentError


def _c_int(value: object) -> int:
    number = operator.index(value)  # type: ignore[arg-type]  # TypeError is the point
    if number > _INT32[1]:
        raise OverflowError("signed integer is greater than maximum")
    if number < _INT32[0]:
        raise OverflowError("signed integer is less than minimum")
    return number


def _c_ulong_mask(value: object) -> int:
    # 'k': int objects only, no range check, masked to a 32-bit unsigned long.
    if not isinstance(value, int):
        raise TypeError(f"integer argument expected, got {type(value).__name__}")
    return value & 0xFFFFFFFF


def _c_double(value: object) -> float:
    kind = type(value)
    if isinstance(value, float) or hasattr(kind, "__float__"):
        return float(value)  # type: ignore[arg-type]
    if hasattr(kind, "__index__"):
        return float(operator.index(value))  # type: ignore[arg-type]
    raise TypeError(f"must be real number, not {kind.__name__}")


_CONVERTERS: Final[Mapping[str, Callable[[object], object]]] = {
    "O": lambda value: value,
    "i": _c_int,
    "k": _c_ulong_mask,
    "d": _c_double,
    "p": bool,
}


def parse_tuple(args: Sequence[object], fmt: str, required: int | None = None) -> list[Any]:
    """Emulate ``PyArg_ParseTuple(args, fmt)`` for the format letters the official uses."""
    count = len(fmt)
    needed = count if required is None else required
    if not needed <= len(args) <= count:
        if needed == count:
            message = f"function takes exactly {count} arguments ({len(args)} given)"
        elif len(args) < needed:
            message = f"function takes at least {needed} argument ({len(args)} given)"
        else:
            message = f"function takes at most {count} arguments ({len(args)} given)"
        raise ParseTupleError(TypeError(message))
    values: list[Any] = []
    for code, value in zip(fmt, args, strict=False):
        try:
            values.append(_CONVERTERS[code](value))
        except Exception as exc:  # whatever the converter raised stays "pending"
            raise ParseTupleError(exc) from exc
    return values


def parse_symbol_arg(value: object) -> str:
    """A positional ``symbol`` ('O' format): a str of at most 29 UTF-16 units."""
    if not _is_str(value, SYMBOL_MAX):
        raise ArgumentError
    return value  # type: ignore[return-value]  # _is_str checked the type


def parse_symbol(args: Sequence[object]) -> str:
    """``symbol_info``/``symbol_info_tick``/``market_book_*``: exactly one symbol."""
    if len(args) != 1:
        raise ArgumentError
    return parse_symbol_arg(args[0])


def parse_symbol_select(args: Sequence[object]) -> tuple[str, bool]:
    """``symbol_select(symbol, enable=True, /)``: format ``O|p`` (None deselects, 2.5)."""
    values = parse_tuple(args, "Op", required=1)
    enable = values[1] if len(values) > 1 else True
    return parse_symbol_arg(values[0]), enable


#: copy_* ParseTuple formats (API.md 2.6) and which positions are dates.
_COPY_FORMATS: Final[Mapping[str, tuple[str, tuple[int, ...]]]] = {
    "copy_rates_from": ("OiOi", (2,)),
    "copy_rates_from_pos": ("Oiii", ()),
    "copy_rates_range": ("OiOO", (2, 3)),
    "copy_ticks_from": ("OOii", (1,)),
    "copy_ticks_range": ("OOOi", (1, 2)),
}


def parse_copy(name: str, args: Sequence[object]) -> tuple[Any, ...]:
    """Arguments of the five copy_* functions: symbol checked, dates converted to seconds."""
    fmt, date_positions = _COPY_FORMATS[name]
    values = parse_tuple(args, fmt)
    values[0] = parse_symbol_arg(values[0])
    for position in date_positions:
        values[position] = to_date(values[position])
    return tuple(values)


def parse_order_calc(args: Sequence[object], fmt: str) -> tuple[Any, ...]:
    """``order_calc_margin`` (``kOdd``) and ``order_calc_profit`` (``kOddd``)."""
    values = parse_tuple(args, fmt)
    values[1] = parse_symbol_arg(values[1])
    return tuple(values)


class InitializeArgs(NamedTuple):
    """Validated arguments of ``initialize()``; None means "not given"."""

    path: str | None
    login: int | None
    password: str | None
    server: str | None
    timeout: int
    portable: bool


def _keyword(kwargs: Mapping[str, object], key: str, ok: Callable[[object], bool]) -> Any:
    value = kwargs[key]
    if not ok(value):
        raise ArgumentError(f'Invalid "{key}" argument')
    return value


def _str_check(limit: int) -> Callable[[object], bool]:
    return lambda value: _is_str(value, limit)


def _timeout(kwargs: Mapping[str, object]) -> int:
    if "timeout" not in kwargs:
        return DEFAULT_TIMEOUT_MS
    value = _keyword(kwargs, "timeout", lambda v: _is_int(v, 0, _UINT32_LIMIT))
    return int(value) or DEFAULT_TIMEOUT_MS  # 0 means the default (API.md 3)


def parse_initialize(args: Sequence[object], kwargs: Mapping[str, object]) -> InitializeArgs:
    """``initialize(path=None, *, login, password, server, timeout, portable)`` (API.md 4)."""
    if len(args) > 1:
        raise ArgumentError("Invalid number of arguments")
    path: str | None = None
    if args:
        if not _is_str(args[0], PATH_MAX):
            raise ArgumentError("Invalid 1st unnamed argument")
        path = args[0]  # type: ignore[assignment]
    if "path" in kwargs:
        path = _keyword(kwargs, "path", _str_check(PATH_MAX))
    login = _keyword(kwargs, "login", _is_int) if "login" in kwargs else None
    password = (
        _keyword(kwargs, "password", _str_check(CREDENTIAL_MAX)) if "password" in kwargs else None
    )
    server = _keyword(kwargs, "server", _str_check(CREDENTIAL_MAX)) if "server" in kwargs else None
    timeout = _timeout(kwargs)
    portable = bool(kwargs.get("portable", False))
    return InitializeArgs(path, login, password, server, timeout, portable)


class LoginArgs(NamedTuple):
    """Validated arguments of ``login()``."""

    login: int
    password: str | None
    server: str | None
    timeout: int


def parse_login(args: Sequence[object], kwargs: Mapping[str, object]) -> LoginArgs:
    """``login(login, password=None, server=None, *, timeout)``; keywords override positionals."""
    if len(args) > 3:
        raise ArgumentError("Invalid number of arguments")
    checks = (_is_int, _str_check(CREDENTIAL_MAX), _str_check(CREDENTIAL_MAX))
    values: list[Any] = [None, None, None]
    for index, value in enumerate(args):
        if not checks[index](value):
            raise ArgumentError(f"Invalid {_ORDINALS[index]} unnamed argument")
        values[index] = value
    for index, key in enumerate(("login", "password", "server")):
        if key in kwargs:
            values[index] = _keyword(kwargs, key, checks[index])
    if values[0] is None:
        raise ArgumentError  # unverified text: the official needs a login (see docs)
    return LoginArgs(values[0], values[1], values[2], _timeout(kwargs))


def parse_symbols_get(args: Sequence[object], kwargs: Mapping[str, object]) -> str | None:
    """``symbols_get(group=None)``: one positional or ``group=`` (keyword wins)."""
    if len(args) > 1:
        raise ArgumentError("Invalid number of arguments")
    group: str | None = None
    if args:
        if not _is_str(args[0], GROUP_MAX):
            raise ArgumentError("Invalid 1st unnamed argument")
        group = args[0]  # type: ignore[assignment]
    if "group" in kwargs:
        group = _keyword(kwargs, "group", _str_check(GROUP_MAX))
    return group


class TradeFilter(NamedTuple):
    """The one filter of ``orders_get``/``positions_get``: precedence ticket > symbol > group."""

    ticket: int | None = None
    symbol: str | None = None
    group: str | None = None


def parse_trade_filter(args: Sequence[object], kwargs: Mapping[str, object]) -> TradeFilter:
    """``orders_get``/``positions_get(*, symbol, group, ticket)``; only the winner is checked."""
    if args:
        raise ArgumentError("Unnamed arguments not allowed")
    if "ticket" in kwargs:
        return TradeFilter(ticket=_keyword(kwargs, "ticket", _is_int))
    if "symbol" in kwargs:
        return TradeFilter(symbol=_keyword(kwargs, "symbol", _str_check(SYMBOL_MAX)))
    if "group" in kwargs:
        return TradeFilter(group=_keyword(kwargs, "group", _str_check(GROUP_MAX)))
    return TradeFilter()


def parse_history_range(args: Sequence[object]) -> tuple[int, int]:
    """``history_*_total(date_from, date_to, /)``: exactly two dates."""
    if len(args) != 2:
        raise ArgumentError
    return to_date(args[0]), to_date(args[1])


class HistoryQuery(NamedTuple):
    """One of the three forms of ``history_*_get``: range (+group), ticket, or position."""

    date_from: int = 0
    date_to: int = 0
    group: str | None = None
    ticket: int | None = None
    position: int | None = None


def parse_history_get(args: Sequence[object], kwargs: Mapping[str, object]) -> HistoryQuery:
    """``history_*_get``: two positionals select the range form; else ticket, then position."""
    if len(args) == 2:
        date_from, date_to = parse_history_range(args)
        group = _keyword(kwargs, "group", _str_check(GROUP_MAX)) if "group" in kwargs else None
        return HistoryQuery(date_from, date_to, group)
    has_key = "ticket" in kwargs or "position" in kwargs
    if args and has_key:
        raise ArgumentError("Unnamed arguments not allowed")
    if "ticket" in kwargs:
        return HistoryQuery(ticket=_keyword(kwargs, "ticket", _is_int))
    if "position" in kwargs:
        return HistoryQuery(position=_keyword(kwargs, "position", _is_int))
    raise ArgumentError


def _float_check(value: object) -> bool:
    return isinstance(value, float)  # ints are rejected (API.md 2.4)


def _uint(limit: int) -> Callable[[object], bool]:
    return lambda value: _is_int(value, 0, limit)


#: TradeRequest fields in official order: (check, default). Types per API.md 4.
_REQUEST_FIELDS: Final[tuple[tuple[str, Callable[[object], bool], object], ...]] = (
    ("action", _uint(_UINT32_LIMIT), 0),
    ("magic", _uint(_UINT64_LIMIT), 0),
    ("order", _uint(_UINT64_LIMIT), 0),
    ("symbol", _str_check(SYMBOL_MAX), ""),
    ("volume", _float_check, 0.0),
    ("price", _float_check, 0.0),
    ("stoplimit", _float_check, 0.0),
    ("sl", _float_check, 0.0),
    ("tp", _float_check, 0.0),
    ("deviation", _uint(_UINT64_LIMIT), 0),
    ("type", _uint(_UINT32_LIMIT), 0),
    ("type_filling", _uint(_UINT32_LIMIT), 0),
    ("type_time", _uint(_UINT32_LIMIT), 0),
    ("expiration", lambda value: _is_int(value, _INT64_MIN, 2**63), 0),
    ("comment", _str_check(SYMBOL_MAX), ""),
    ("position", _uint(_UINT64_LIMIT), 0),
    ("position_by", _uint(_UINT64_LIMIT), 0),
)


def parse_request(args: Sequence[object], kwargs: Mapping[str, object]) -> TradeRequest:
    """``order_send``/``order_check``: one positional dict, or the fields as keywords."""
    if args and kwargs:
        raise ArgumentError("Unnamed arguments not allowed")
    if kwargs:
        request: Mapping[str, object] = kwargs
    elif len(args) != 1:
        raise ArgumentError("Invalid number of arguments")
    elif isinstance(args[0], dict):
        request = args[0]
    else:
        raise ArgumentError("Invalid 1st unnamed argument")  # unverified text
    values: list[object] = []
    for key, check, default in _REQUEST_FIELDS:
        if key in request:
            value = request[key]
            if not check(value):
                raise ArgumentError(f'Invalid "{key}" argument')
            values.append(value)
        else:
            values.append(default)
    return TradeRequest._from_sequence(values)
