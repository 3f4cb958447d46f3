"""Full symbol specifications (cmd 18, push 13) with the account's overrides applied.

* cmd 18 takes an id list and answers full records (spec 3.4.3); they are cached per name for
  ``ttl`` seconds and replaced by push 13 (spec 3.4.6).
* Overrides (spec 3.3.2): a symbol's effective trade settings are its own block, then every
  account trade-settings entry whose mask list matches the symbol path, applied field by field
  and skipping the "not set" sentinels (INT32_MAX, UINT32_MAX, DBL_MAX, and 0 / UINT64_MAX for
  the volume fields). They are recomputed whenever the account block changes.
* :meth:`SymbolCatalog.contract` turns a symbol into the trade math's ``ContractSpec``;
  :meth:`SymbolCatalog.index` is the cached currency-conversion ``SymbolIndex``, built from the
  Forex symbols (calc modes 0 and 5), which are the ones conversion paths use.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from MetaTrader5.protocol import Command
from MetaTrader5.protocol.messages import decode_full_symbols, encode_id_list
from MetaTrader5.protocol.schemas.account import (
    DOUBLE_UNSET,
    INT32_UNSET,
    UINT32_UNSET,
    UINT64_UNSET,
    TradeSettings,
)
from MetaTrader5.protocol.schemas.symbols import FullSymbol
from MetaTrader5.trademath import ContractSpec, SymbolIndex

from ._masks import masks_match
from .errors import SymbolNotFoundError
from .market import MarketData

__all__ = ["EffectiveSymbol", "SymbolCatalog", "apply_overrides"]

Requester = Callable[[int, bytes], Awaitable[memoryview]]

_UNSET = frozenset({INT32_UNSET, UINT32_UNSET, UINT64_UNSET})
_VOLUME_FIELDS = frozenset(
    {"volume_min", "volume_max", "volume_step", "volume_limit", "instant_volume"}
)
_FIELDS = tuple(f.name for f in dataclasses.fields(TradeSettings) if f.name != "symbol_path")
#: spec 4.6: Forex calc modes; conversion symbols come from these.
_FOREX_MODES = frozenset({0, 5})


def _is_set(name: str, value: object) -> bool:
    if isinstance(value, float):
        return value != DOUBLE_UNSET
    if isinstance(value, int):
        if name in _VOLUME_FIELDS and value == 0:
            return False
        return value not in _UNSET
    return True


def apply_overrides(own: TradeSettings, entries: Iterable[TradeSettings]) -> TradeSettings:
    """spec 3.3.2: the symbol's own settings with every matching account entry applied."""
    path = own.symbol_path
    changes: dict[str, object] = {}
    for entry in entries:
        if not masks_match(entry.symbol_path, path):
            continue
        for name in _FIELDS:
            value = getattr(entry, name)
            if isinstance(value, tuple):
                base = changes.get(name, getattr(own, name))
                if isinstance(base, tuple):
                    merged = tuple(v if v != DOUBLE_UNSET else b for v, b in zip(value, base,
                                                                                 strict=True))
                    changes[name] = merged
            elif _is_set(name, value):
                changes[name] = value
    return dataclasses.replace(own, **changes) if changes else own  # type: ignore[arg-type]


def _rate(value: float) -> float:
    # A rate the server leaves unset (DBL_MAX) or non-finite counts as 1 (no adjustment).
    return 1.0 if not math.isfinite(value) or value >= DOUBLE_UNSET else value


@dataclass(frozen=True, slots=True)
class EffectiveSymbol:
    """A full symbol record and its effective (overridden) trade settings."""

    record: FullSymbol
    trade: TradeSettings

    @property
    def name(self) -> str:
        return self.record.trade_symbol


class SymbolCatalog:
    """Cache of full symbols for one client, with overrides, contract specs and the index."""

    def __init__(self, market: MarketData, request: Requester, ttl: float = 300.0) -> None:
        self._market = market
        self._request = request
        self.ttl = ttl
        self._records: dict[str, tuple[FullSymbol, float]] = {}
        self._effective: dict[str, EffectiveSymbol] = {}
        self._overrides: tuple[TradeSettings, ...] = ()
        self._index: SymbolIndex | None = None

    def set_overrides(self, entries: tuple[TradeSettings, ...]) -> None:
        """The account's trade-settings entries changed (cmd 3 / push 14)."""
        if entries != self._overrides:
            self._overrides = entries
            self._effective.clear()

    def _fresh(self, name: str) -> bool:
        item = self._records.get(name)
        return item is not None and time.monotonic() - item[1] < self.ttl

    async def fetch(self, names: Iterable[str], force: bool = False) -> None:
        """Load the full records of ``names`` not cached yet (one cmd 18 request)."""
        wanted = [n for n in dict.fromkeys(names) if force or not self._fresh(n)]
        if not wanted:
            return
        ids = [(await self._market.symbol(n)).symbol_id for n in wanted]
        self.store(decode_full_symbols(await self._request(Command.FULL_SYMBOLS,
                                                            encode_id_list(ids))))

    def store(self, records: Iterable[FullSymbol]) -> list[str]:
        """Insert or replace full records (cmd 18 answer or push 13); returns their names."""
        now = time.monotonic()
        names = []
        for record in records:
            self._records[record.trade_symbol] = (record, now)
            self._effective.pop(record.trade_symbol, None)
            names.append(record.trade_symbol)
        if names:
            self._index = None
        return names

    async def get(self, name: str) -> EffectiveSymbol:
        """The effective full symbol of ``name``; raises SymbolNotFoundError."""
        await self.fetch([name])
        if name not in self._records:
            raise SymbolNotFoundError(name)
        return self.effective(name)

    async def get_many(self, names: Iterable[str]) -> list[EffectiveSymbol]:
        names = list(names)
        await self.fetch(names)
        return [self.effective(n) for n in names if n in self._records]

    def effective(self, name: str) -> EffectiveSymbol:
        cached = self._effective.get(name)
        if cached is None:
            record = self._records[name][0]
            cached = EffectiveSymbol(record, apply_overrides(record.trade, self._overrides))
            self._effective[name] = cached
        return cached

    def cached(self, name: str) -> EffectiveSymbol | None:
        return self.effective(name) if name in self._records else None

    @staticmethod
    def contract(symbol: EffectiveSymbol) -> ContractSpec:
        """The trade math's view of a symbol (spec 3.4.3 with 3.3.2 overrides)."""
        rec, trade = symbol.record, symbol.trade
        return ContractSpec(
            name=rec.trade_symbol,
            calc_mode=rec.calc_mode,
            digits=rec.digits,
            contract_size=rec.contract_size,
            tick_size=rec.tick_size,
            tick_value=rec.tick_value,
            currency_base=rec.currency_base,
            currency_profit=rec.currency_profit,
            currency_margin=rec.currency_margin,
            margin_initial=trade.margin_initial if trade.margin_initial < DOUBLE_UNSET else 0.0,
            margin_maintenance=(
                trade.margin_maintenance if trade.margin_maintenance < DOUBLE_UNSET else 0.0
            ),
            margin_hedged=trade.margin_hedged if trade.margin_hedged < DOUBLE_UNSET else 0.0,
            margin_hedged_use_leg=bool(trade.margin_flags & 4),
            margin_rates_initial=tuple(_rate(v) for v in trade.margin_rates_initial),
            margin_rates_maintenance=tuple(_rate(v) for v in trade.margin_rates_maintenance),
            face_value=rec.face_value,
            accrued_interest=rec.accrued_interest,
            price_settle=rec.price_settle,
        )

    async def contracts(self, names: Iterable[str]) -> dict[str, ContractSpec]:
        return {s.name: self.contract(s) for s in await self.get_many(names)}

    async def index(self) -> SymbolIndex:
        """The currency-conversion index over the Forex symbols (cached until a change)."""
        if self._index is None:
            await self._market.load_symbols()
            forex = [n for n in self._market.names()
                     if (e := self._market.entry(n)) is not None and e.calc_mode in _FOREX_MODES]
            await self.fetch(forex)
            specs = [self.contract(self.effective(n)) for n in forex if n in self._records]
            self._index = SymbolIndex(specs)
        return self._index

    def index_cached(self) -> SymbolIndex | None:
        """The conversion index if it was built already (no I/O)."""
        return self._index

    def conversion_symbols(self, currencies: Iterable[str], account_ccy: str) -> set[str]:
        """Symbols whose quotes convert ``currencies`` into the deposit currency."""
        index = self._index
        out: set[str] = set()
        if index is None:
            return out
        for ccy in currencies:
            try:
                out.update(leg.symbol for leg in index.path(ccy, account_ccy))
            except LookupError:
                continue
        return out
