"""``WebTerminalClient``: the public asyncio client of one Web Terminal account.

It is the async twin of the module seam ``MetaTrader5._session.Session`` (contracts.md): every
``Session`` method exists here with the same name, parameters and result types, as a
coroutine (``version()`` and ``terminal_info()`` are plain methods). Failures raise the typed
exceptions of :mod:`.errors`; a trade-server rejection is an ``OrderSendResult`` with its
retcode. Usage::

    async with WebTerminalClient.connect(url, login=..., password=...) as client:
        print(await client.account_info())
        async with client.on_tick(print, "EURUSD"):
            await client.symbol_select("EURUSD", True)
            await asyncio.sleep(10)

Several clients can run in one process and one loop; they share nothing (each has its own
transport, session, caches, streams and rate limiter). Lifecycle and reconnect: see
:mod:`._core`; live figures and trading: :mod:`._live`.

Magic numbers: a Web Terminal request has no magic field (spec 4.5), so servers report
``magic`` 0 for a web client's trades. The client remembers the request's ``magic`` for each
order ticket its own ``order_send`` got back (DEAL, PENDING, CLOSE_BY) and fills a 0 wire
value from it: a position by its identifier (the opening order), an order by its ticket, a
deal by its order; a server's SL / TP / stop-out order or deal takes its position's magic.
A deal of our closing request carries that request's magic (0 if none), as in MT5. A
non-zero wire value always wins. Trades of other clients, processes or terminals report 0,
and so do ours once this client is closed (the book, at most 100,000 tickets, least
recently used dropped first, is forgotten). Details: :mod:`._magic`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from MetaTrader5.records import (
    BookInfo,
    SymbolInfo,
    TerminalInfo,
    Tick,
    TradeDeal,
    TradeOrder,
)
from MetaTrader5.trademath import TradeMathError, convert

from ._live import LiveApi
from ._masks import compile_masks
from ._symbol_info import build_symbol_info
from .account import TradeEvent
from .errors import BookNotSubscribedError, NoQuoteError, SymbolInUseError
from .streams import EventStream, Subscription
from .symbols import EffectiveSymbol

__all__ = ["WebTerminalClient", "TERMINAL_VERSION", "BUILD_DATE"]

#: ``version()[0]``: the terminal version every MT5 terminal reports.
TERMINAL_VERSION = 500
#: ``version()[2]``: date of the Web Terminal build the protocol was captured from (spec 0).
BUILD_DATE = "12 Mar 2026"
#: ``terminal_info().maxbars``: bars one cmd 11 answer of our simulator may carry.
MAX_BARS = 100_000
Array = npt.NDArray[np.void]


class WebTerminalClient(LiveApi):
    """An asyncio Web Terminal client (one account, one connection at a time)."""

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, **options: Any) -> AsyncIterator[WebTerminalClient]:
        """Connect, log in, yield the client, and close it on exit."""
        client = cls(url, **options)
        try:
            await client.open()
            yield client
        finally:
            await client.close()

    # --- terminal ----------------------------------------------------------------------------

    def version(self) -> tuple[int, int, str]:
        """``(500, server build, build date)``; the build is the trade server's (spec 3.3.1)."""
        build = self.server_build or 0
        if not build and self._transport is not None:
            build = self._transport.bootstrap_build
        return (TERMINAL_VERSION, build, BUILD_DATE)

    def terminal_info(self) -> TerminalInfo:
        """This client acting as a terminal: honest values (no DLLs, community, e-mail...)."""
        connected = self.state == "ready"
        header = self.account.block.header if self.account.block is not None else None
        allowed = header is not None and not (header.rights & 12)
        latency = self.health_monitor.last_ping_latency
        return TerminalInfo._from_sequence((
            False, False, connected, False,
            connected and allowed and self.trade_server_connected is not False,
            False, False, False, False, False,
            self.version()[1], MAX_BARS, 0, int(latency * 1e6) if latency is not None else 0,
            0.0, 0.0,
            header.company if header is not None else "", "mt5web", "English",
            self.url, "", "",
        ))  # fmt: skip

    # --- symbols -----------------------------------------------------------------------------

    async def symbols_total(self) -> int:
        """Number of all symbols of the account (spec 3.4.2)."""
        return len(await self.market.load_symbols())

    def _tick_values(self, symbol: EffectiveSymbol) -> tuple[float, float, float]:
        rec = symbol.record
        index = self.catalog.index_cached()
        currency = self.account.terms().currency if self.account.block else ""
        if index is None or not currency:
            return rec.tick_value, rec.tick_value, rec.tick_value
        try:
            gain = convert(rec.tick_value, rec.currency_profit, currency, index,
                           self.market.quote, for_profit_sign=1.0)  # fmt: skip
            loss = convert(rec.tick_value, rec.currency_profit, currency, index,
                           self.market.quote, for_profit_sign=-1.0)  # fmt: skip
        except (TradeMathError, ValueError):
            return rec.tick_value, rec.tick_value, rec.tick_value
        return gain, gain, loss

    def _info(self, symbol: EffectiveSymbol) -> SymbolInfo | None:
        entry = self.market.entry(symbol.name)
        if entry is None:
            return None
        return build_symbol_info(entry, symbol, symbol.name in self.market.selected,
                                 self._tick_values(symbol))  # fmt: skip

    async def symbols_get(self, group: str | None = None) -> tuple[SymbolInfo, ...]:
        """All symbols, or those the group selects (comma-separated masks, ``*``, ``!``
        excludes, inclusions then exclusions; matched on name or path; ''/None = all)."""
        symbols = await self.market.load_symbols()
        match = compile_masks(group or "")
        names = [n for n, e in symbols.items() if match(n, e.path)]
        await self.catalog.index()
        infos = (self._info(s) for s in await self.catalog.get_many(names))
        return tuple(i for i in infos if i is not None)

    async def symbol_info(self, symbol: str) -> SymbolInfo:
        """One symbol (spec 4.8); ``select``/``visible`` reflect the Market Watch.

        Raises:
            SymbolNotFoundError: unknown symbol.
        """
        entry = await self.market.symbol(symbol)
        if symbol in self.market.subscribed and not entry.time_msc:
            with contextlib.suppress(NoQuoteError):
                await self.market.wait_quote(symbol)
        effective = await self.catalog.get(symbol)
        await self.catalog.index()
        info = self._info(effective)
        if info is None:  # pragma: no cover - the list entry was loaded above
            raise LookupError(symbol)
        return info

    async def symbol_info_tick(self, symbol: str) -> Tick:
        """The last tick of ``symbol`` from the stream, subscribing first if needed.

        Raises:
            SymbolNotFoundError: unknown symbol.
            NoQuoteError: no tick arrived within ``first_tick_timeout`` of subscribing.
        """
        entry = await self.market.wait_quote(symbol)
        tick = entry.tick()
        if tick is None:  # pragma: no cover - wait_quote returns after the first tick
            raise NoQuoteError(symbol, 0.0)
        return tick

    async def symbol_select(self, symbol: str, enable: bool = True) -> None:
        """Add ``symbol`` to (or remove it from) the Market Watch.

        Raises:
            SymbolNotFoundError: unknown symbol.
            SymbolInUseError: removal while positions or orders use the symbol.
        """
        if not enable and symbol in self.account.symbols_in_use():
            raise SymbolInUseError(symbol, "open positions or orders use it")
        await self.market.select(symbol, enable)

    async def market_book_add(self, symbol: str) -> None:
        """Subscribe to the depth of market of ``symbol`` (cmd 22)."""
        await self.market.book_add(symbol)

    async def market_book_get(self, symbol: str) -> tuple[BookInfo, ...]:
        """The current depth of market (raises BookNotSubscribedError before book_add)."""
        return self.market.book(symbol)

    async def market_book_release(self, symbol: str) -> None:
        """Unsubscribe from the depth of market (raises BookNotSubscribedError if none)."""
        if not await self.market.book_release(symbol):
            raise BookNotSubscribedError(symbol)

    async def _publish_symbols(self, names: list[str]) -> None:
        for name in names:
            symbol = self.catalog.cached(name)
            info = self._info(symbol) if symbol is not None else None
            if info is not None:
                self.hub.publish("symbol", info, key=name)

    # --- bars and ticks ----------------------------------------------------------------------

    async def copy_rates_from(self, symbol: str, timeframe: int, date_from: int,
                              count: int) -> Array:  # fmt: skip
        """``count`` bars with open time <= ``date_from`` (server time), oldest first."""
        return await self.rates.copy_rates_from(symbol, timeframe, date_from, count)

    async def copy_rates_from_pos(self, symbol: str, timeframe: int, start_pos: int,
                                  count: int) -> Array:  # fmt: skip
        """``count`` bars ending ``start_pos`` bars back from the current (server-clock) bar."""
        return await self.rates.copy_rates_from_pos(symbol, timeframe, start_pos, count)

    async def copy_rates_range(self, symbol: str, timeframe: int, date_from: int,
                               date_to: int) -> Array:  # fmt: skip
        """Bars with ``date_from <= time <= date_to`` (server time)."""
        return await self.rates.copy_rates_range(symbol, timeframe, date_from, date_to)

    async def copy_ticks_from(self, symbol: str, date_from_msc: int, count: int,
                              flags: int) -> Array:  # fmt: skip
        """``count`` ticks from ``date_from_msc`` on (see :mod:`.rates` for the sources)."""
        return await self.rates.copy_ticks_from(symbol, date_from_msc, count, flags)

    async def copy_ticks_range(self, symbol: str, date_from_msc: int, date_to_msc: int,
                               flags: int) -> Array:  # fmt: skip
        """Ticks between two server times in milliseconds."""
        return await self.rates.copy_ticks_range(symbol, date_from_msc, date_to_msc, flags)

    def tick_history(self, symbol: str) -> Array:
        """Ticks the stream delivered since subscription (bounded; TICKS_DTYPE)."""
        return self.market.ticks.ticks(symbol)

    # --- history -----------------------------------------------------------------------------

    async def history_orders_total(self, date_from: int, date_to: int) -> int:
        """Number of history orders in ``[date_from, date_to]`` (server seconds)."""
        return await self.history.orders_total(date_from, date_to)

    async def history_deals_total(self, date_from: int, date_to: int) -> int:
        """Number of deals in ``[date_from, date_to]`` (server seconds)."""
        return await self.history.deals_total(date_from, date_to)

    async def history_orders_get(
        self, date_from: int = 0, date_to: int = 0, *, ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeOrder, ...]:
        """History orders of a range, or the order ``ticket``, or those of ``position``."""
        return await self.history.orders(date_from, date_to, ticket=ticket, position=position)

    async def history_deals_get(
        self, date_from: int = 0, date_to: int = 0, *, ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeDeal, ...]:
        """Deals of a range, or those of the ORDER ``ticket``, or those of ``position``."""
        return await self.history.deals(date_from, date_to, ticket=ticket, position=position)

    # --- push API ----------------------------------------------------------------------------

    def on_tick(self, callback: Callable[[Tick], Any], symbol: str | None = None) -> Subscription:
        """Call ``callback(tick)`` for ticks of ``symbol`` (or of every subscribed symbol).

        Ticks flow for the Market Watch and the symbols the client follows: call
        ``symbol_select`` or ``subscribe`` first.
        """
        return self.hub.subscribe("tick", callback, symbol)

    def on_ticks(self, callback: Callable[[str, Array], Any],
                 symbol: str | None = None) -> Subscription:  # fmt: skip
        """Batch twin of :meth:`on_tick`: ``callback(symbol, ticks)`` once per symbol per push,
        ``ticks`` being a ``TICKS_DTYPE`` array (oldest first) of exactly the ticks
        :meth:`on_tick` delivers one by one (forward-filled, out-of-order ones dropped).

        The array is the client's own: copy it to keep it beyond the callback.
        """
        return self.hub.subscribe("ticks", lambda event: callback(*event), symbol)

    def on_book(self, callback: Callable[[tuple[BookInfo, ...]], Any], symbol: str) -> Subscription:
        """Call ``callback(book)`` on every change of the depth of market of ``symbol``."""
        return self.hub.subscribe("book", callback, symbol)

    def on_account(self, callback: Callable[[Any], Any]) -> Subscription:
        """Call ``callback(AccountInfo)`` when the balance or the positions change."""
        return self.hub.subscribe("account", callback)

    def on_trade(self, callback: Callable[[TradeEvent], Any]) -> Subscription:
        """Call ``callback(TradeEvent)`` for every decoded push 10 change (spec 3.6.3)."""
        return self.hub.subscribe("trade", callback)

    def on_symbol(self, callback: Callable[[SymbolInfo], Any],
                  symbol: str | None = None) -> Subscription:  # fmt: skip
        """Call ``callback(SymbolInfo)`` when the server updates a symbol (push 13)."""
        return self.hub.subscribe("symbol", callback, symbol)

    def on_trade_result(self, callback: Callable[[Any], Any]) -> Subscription:
        """Call ``callback(OrderSendResult)`` for every matched push 19."""
        return self.hub.subscribe("trade_result", callback)

    def on_trade_fate(self, callback: Callable[[Any], Any]) -> Subscription:
        """Call ``callback(TradeFate)`` for each lost-result request after a reconnect."""
        return self.hub.subscribe("trade_fate", callback)

    def on_disconnect(self, callback: Callable[[BaseException], Any]) -> Subscription:
        """Called exactly once for every lost or closed connection, with the reason."""
        return self.hub.subscribe("disconnect", callback)

    def on_reconnect(self, callback: Callable[[int], Any]) -> Subscription:
        """Called after each successful reconnect with the number of attempts."""
        return self.hub.subscribe("reconnect", callback)

    def on_error(self, handler: Callable[[str, BaseException, Callable[..., Any]], Any]) -> Any:
        """Called when a callback raises: handler(topic, exception, callback)."""
        return self.hub.on_error(handler)

    def stream(self, topic: str, key: object | None = None, maxsize: int = 1000) -> EventStream:
        """Async iterator over a topic ("tick", "book", "trade", "account", ...)."""
        return self.hub.stream(topic, key, maxsize)

    async def subscribe(self, *symbols: str) -> None:
        """Follow the ticks of ``symbols`` without adding them to the Market Watch."""
        await self.market.subscribe_ticks(*symbols)

    async def wait_ticks(self, *symbols: str) -> None:
        """Subscribe and wait for the first tick of each symbol (NoQuoteError if none)."""
        await asyncio.gather(*(self.market.wait_quote(s) for s in symbols))
