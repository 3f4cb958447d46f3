"""Our additions to the official surface; never re-exported by ``import MetaTrader5``.

``MetaTrader5.extras`` is the one place for names the official package lacks, so that
``MetaTrader5``'s own namespace stays exactly the official one (API.md 1, 7).
"""

from __future__ import annotations

import MetaTrader5 as _face  # noqa: N813 - the face whose surface we count

from . import constants, errors, records
from ._version import MT5WEB_VERSION, OFFICIAL_VERSION
from .terminal import OFFICIAL_DOCSTRINGS, Terminal, default_terminal

__all__ = [
    "MT5WEB_VERSION",
    "OFFICIAL_VERSION",
    "Terminal",
    "default_terminal",
    "surface_summary",
]

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
