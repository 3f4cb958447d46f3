"""The simulated MetaTrader 5 trade server (Web Terminal protocol over WebSocket).

Public names, imported lazily so that ``import MetaTrader5.server.catalog`` (or the engine)
does not pull in the network stack:

* :class:`SimulatorServer` - async context manager; ``.url`` once started.
* :func:`start_simulator` - start on a background thread; returns a :class:`SimulatorHandle`
  with ``.url`` and ``.stop()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import SimulatorHandle, SimulatorServer, start_simulator

__all__ = ["SimulatorServer", "SimulatorHandle", "start_simulator"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import app  # noqa: PLC0415 - lazy: keeps websockets out of engine-only imports

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
