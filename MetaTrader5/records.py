"""Result types and numpy dtypes of the official package (5.0.6231).

(The 11 result namedtuples are added by the official-surface work.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["RATES_DTYPE", "TICKS_DTYPE"]

#: Packed (align=False) dtype of copy_rates_* results; itemsize 60.
RATES_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("open", "<f8"),
        ("high", "<f8"),
        ("low", "<f8"),
        ("close", "<f8"),
        ("tick_volume", "<u8"),
        ("spread", "<i4"),
        ("real_volume", "<u8"),
    ]
)

#: Packed (align=False) dtype of copy_ticks_* results; itemsize 60.
TICKS_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("bid", "<f8"),
        ("ask", "<f8"),
        ("last", "<f8"),
        ("volume", "<u8"),
        ("time_msc", "<i8"),
        ("flags", "<u4"),
        ("volume_real", "<f8"),
    ]
)
