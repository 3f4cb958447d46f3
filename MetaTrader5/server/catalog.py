"""The simulator's symbol catalogue, like a broker's demo server (issue 5 "Market").

Folders (symbol groups, spec 3.4.1): ``Forex\\Majors``, ``Forex\\Crosses``, ``Forex\\Exotics``,
``Metals``, ``Indices``, ``Crypto``, ``Stocks\\US``. Symbol ids are written down in the tables
of ``catalog_forex``/``catalog_cfd`` (1-99 forex, 100s metals, 200s indices, 300s crypto, 400s
stocks) and are therefore stable across runs and releases.

Trading sessions (spec 3.4.4, minutes of the server day, Sunday = 0): with
``sessions="always"`` (the default) every symbol quotes and trades around the clock, every day.
With ``sessions="realistic"``: forex trades Monday 00:00 to Friday 23:59; metals Monday to
Friday 01:00-23:55; US indices Monday to Friday 01:00-23:15 and 23:30-23:59 (Friday until
23:15); European indices 01:15-23:00; UK100 01:00-23:00; JP225 01:00-23:55; US stocks
16:30-23:00 (09:30-16:00 New York: the default server zone follows US daylight saving, so the
offset to New York stays 7 hours); crypto stays open every day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from MetaTrader5.server.catalog_cfd import (
    crypto_symbols,
    index_symbols,
    metal_symbols,
    stock_symbols,
)
from MetaTrader5.server.catalog_forex import forex_symbols
from MetaTrader5.server.symbols import ALL_DAY, SymbolSpec, TradingSessions
from MetaTrader5.trademath.specs import ContractSpec

__all__ = ["SESSION_MODES", "Catalog", "default_catalog", "realistic_sessions"]

#: Values accepted for the ``sessions`` option (config ``[server] sessions``).
SESSION_MODES = ("always", "realistic")

_Day = tuple[tuple[int, int], ...]
_CLOSED: _Day = ()


def _week(weekdays: _Day, friday: _Day | None = None) -> TradingSessions:
    """Sessions open Monday..Friday (Friday may differ), closed on Saturday and Sunday."""
    days = (_CLOSED, weekdays, weekdays, weekdays, weekdays, friday or weekdays, _CLOSED)
    return TradingSessions(quote=days, trade=days)


_FOREX = _week(ALL_DAY, ((0, 1439),))
_METALS = _week(((60, 1435),))
_US_INDEX = _week(((60, 1395), (1410, 1439)), ((60, 1395),))
_EU_INDEX = _week(((75, 1380),))
_UK_INDEX = _week(((60, 1380),))
_JP_INDEX = _week(((60, 1435),))
_US_STOCKS = _week(((990, 1380),))
_ALWAYS = TradingSessions()

_INDEX_SESSIONS = {
    "US30": _US_INDEX,
    "US500": _US_INDEX,
    "USTEC": _US_INDEX,
    "DE40": _EU_INDEX,
    "FRA40": _EU_INDEX,
    "EU50": _EU_INDEX,
    "UK100": _UK_INDEX,
    "JP225": _JP_INDEX,
}


def realistic_sessions(spec: SymbolSpec) -> TradingSessions:
    """The weekly schedule a real broker would publish for ``spec`` (see module docstring)."""
    if spec.category == "Forex":
        return _FOREX
    if spec.category == "Metals":
        return _METALS
    if spec.category == "Indices":
        return _INDEX_SESSIONS.get(spec.name, _US_INDEX)
    if spec.category == "Stocks":
        return _US_STOCKS
    return _ALWAYS


class Catalog:
    """An ordered, immutable set of symbols with lookups by name and id."""

    def __init__(self, symbols: Iterable[SymbolSpec]) -> None:
        """Build a catalogue.

        Raises:
            ValueError: two symbols share a name or an id, or a path does not end in its name.
        """
        self._symbols = tuple(symbols)
        self._by_name: dict[str, SymbolSpec] = {}
        self._by_id: dict[int, SymbolSpec] = {}
        for spec in self._symbols:
            if spec.name in self._by_name:
                raise ValueError(f"duplicate symbol name {spec.name!r}")
            if spec.symbol_id in self._by_id:
                raise ValueError(f"duplicate symbol id {spec.symbol_id} ({spec.name!r})")
            if spec.path.rsplit("\\", 1)[-1] != spec.name:
                raise ValueError(f"path {spec.path!r} of {spec.name!r} must end in its name")
            self._by_name[spec.name] = spec
            self._by_id[spec.symbol_id] = spec

    @property
    def symbols(self) -> tuple[SymbolSpec, ...]:
        """Every symbol, in the stable catalogue order (the order of the symbol list, 3.4.2)."""
        return self._symbols

    def by_name(self, name: str) -> SymbolSpec | None:
        """The symbol called ``name`` (case-sensitive, like MT5), or None."""
        return self._by_name.get(name)

    def by_id(self, symbol_id: int) -> SymbolSpec | None:
        """The symbol with wire id ``symbol_id``, or None."""
        return self._by_id.get(symbol_id)

    def groups(self) -> tuple[str, ...]:
        """The folder paths of the symbols (spec 3.4.1), in first-seen order, e.g. ``Metals``."""
        seen: dict[str, None] = {}
        for spec in self._symbols:
            seen.setdefault(spec.path.rsplit("\\", 1)[0], None)
        return tuple(seen)

    def contract_specs(self) -> dict[str, ContractSpec]:
        """Name -> contract terms, the input of the trade math."""
        return {spec.name: spec.contract for spec in self._symbols}

    def with_sessions(self, mode: str) -> Catalog:
        """A copy whose schedules follow ``mode`` (``"always"`` or ``"realistic"``).

        Raises:
            ValueError: unknown mode.
        """
        if mode not in SESSION_MODES:
            raise ValueError(f"unknown sessions mode {mode!r}; expected one of {SESSION_MODES}")
        if mode == "always":
            return Catalog(dataclasses.replace(s, sessions=_ALWAYS) for s in self._symbols)
        return Catalog(
            dataclasses.replace(s, sessions=realistic_sessions(s)) for s in self._symbols
        )

    def __len__(self) -> int:
        return len(self._symbols)

    def __iter__(self) -> Iterator[SymbolSpec]:
        return iter(self._symbols)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


def default_catalog(sessions: str = "always") -> Catalog:
    """The built-in demo-server catalogue (forex, metals, indices, crypto, stocks).

    Args:
        sessions: ``"always"`` (open around the clock) or ``"realistic"`` (module docstring).

    Raises:
        ValueError: unknown sessions mode.
    """
    base = Catalog(
        forex_symbols() + metal_symbols() + index_symbols() + crypto_symbols() + stock_symbols()
    )
    return base.with_sessions(sessions)
