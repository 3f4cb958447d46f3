"""Our additions to the official surface.

A few extras are also reachable from ``import MetaTrader5`` (listed in :data:`FACE_EXTRAS`:
``Terminal``, push callbacks, the server's UTC offset); everything else we add lives here
so that ``MetaTrader5``'s own namespace stays the official one plus that short list, and
never gains a constant (API.md 1, 7).

* :func:`rates_frame`, :func:`ticks_frame`, :func:`records_frame` - pandas DataFrames of the
  official results; pandas is imported on first use only.
* :data:`MT5WEB_VERSION`, :data:`OFFICIAL_VERSION`, :func:`surface_summary`.
* :class:`Terminal`, :func:`default_terminal` (the Terminal behind the module functions).
"""

from __future__ import annotations

import MetaTrader5 as _face  # noqa: N813 - the face whose surface we count

from . import constants, errors, records
from ._pandas import rates_frame, records_frame, ticks_frame
from ._session import Listener
from ._version import MT5WEB_VERSION, OFFICIAL_VERSION
from .terminal import OFFICIAL_DOCSTRINGS, Terminal, default_terminal

__all__ = [
    "MT5WEB_VERSION",
    "OFFICIAL_VERSION",
    "FACE_EXTRAS",
    "Listener",
    "Terminal",
    "default_terminal",
    "rates_frame",
    "records_frame",
    "ticks_frame",
    "surface_summary",
]

#: The names ``import MetaTrader5`` offers beyond the official surface (all documented).
FACE_EXTRAS: tuple[str, ...] = (
    "Terminal",
    "on_tick",
    "on_book",
    "on_trade",
    "on_disconnect",
    "server_time_offset",
    "server_time_to_utc",
)

_OFFICIAL_HELPERS = ("Buy", "Sell", "Close")


def surface_summary() -> dict[str, int]:
    """Count what ``import MetaTrader5`` offers: functions, helpers, types, constants, errors."""
    return {
        "functions": sum(1 for name in OFFICIAL_DOCSTRINGS if callable(getattr(_face, name, None))),
        "helpers": sum(1 for name in _OFFICIAL_HELPERS if callable(getattr(_face, name, None))),
        "types": len(records.RECORD_TYPES),
        "dtypes": len((records.RATES_DTYPE, records.TICKS_DTYPE)),
        "constants": len(constants.__all__),
        "error_codes": len(errors.ERROR_TEXTS),
    }
