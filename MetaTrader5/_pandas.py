"""pandas helpers for the official results; pandas is imported on first use, never before.

These do what the official docs do by hand (``pd.DataFrame(rates)`` then
``pd.to_datetime(df['time'], unit='s')``), in one call. Times stay the server's wall clock
(API.md 2.3: returned times are plain epoch values); pass ``utc_offset`` (for example
``MetaTrader5.server_time_offset()``) to shift them to true UTC.

Public through ``MetaTrader5.extras``: :func:`rates_frame`, :func:`ticks_frame`,
:func:`records_frame`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["rates_frame", "ticks_frame", "records_frame"]

#: Columns holding epoch seconds / milliseconds in the official records and dtypes.
_SECONDS = (
    "time",
    "time_setup",
    "time_done",
    "time_expiration",
    "time_update",
    "expiration",
)
_MILLISECONDS = ("time_msc", "time_setup_msc", "time_done_msc", "time_update_msc")


def _pandas() -> Any:
    import pandas  # noqa: PLC0415 - imported lazily on purpose (module docstring)

    return pandas


def _convert_times(frame: Any, utc_offset: int, index: str | None) -> Any:
    pd = _pandas()
    for column in _SECONDS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column] - utc_offset, unit="s")
    for column in _MILLISECONDS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column] - utc_offset * 1000, unit="ms")
    if index is not None and index in frame.columns:
        frame = frame.set_index(index)
    return frame


def rates_frame(rates: NDArray[np.void] | None, *, utc_offset: int = 0, index: bool = False) -> Any:
    """A DataFrame of ``copy_rates_*`` bars with ``time`` as datetime64 (index if ``index``).

    ``None`` (a failed call) gives an empty frame with the rates columns.
    """
    return _array_frame(rates, "rates", utc_offset, index)


def ticks_frame(ticks: NDArray[np.void] | None, *, utc_offset: int = 0, index: bool = False) -> Any:
    """A DataFrame of ``copy_ticks_*`` ticks; ``time`` and ``time_msc`` as datetime64."""
    return _array_frame(ticks, "ticks", utc_offset, index)


def _array_frame(array: Any, kind: str, utc_offset: int, index: bool) -> Any:
    from .records import RATES_DTYPE, TICKS_DTYPE  # noqa: PLC0415

    pd = _pandas()
    dtype = RATES_DTYPE if kind == "rates" else TICKS_DTYPE
    if array is None:
        frame = pd.DataFrame({name: [] for name in dtype.names or ()})
    else:
        frame = pd.DataFrame(array)
    return _convert_times(frame, utc_offset, "time" if index else None)


def records_frame(records: Sequence[Any] | None, *, utc_offset: int = 0) -> Any:
    """A DataFrame of result records (positions, orders, deals, symbols, ...).

    Columns are the record's fields in official order (the docs'
    ``pd.DataFrame(list(res), columns=res[0]._asdict().keys())`` idiom, safe when empty);
    time columns become datetime64. A nested ``request`` field is kept as is.
    """
    pd = _pandas()
    rows = list(records or ())
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows, columns=list(rows[0]._asdict()))
    return _convert_times(frame, utc_offset, None)
