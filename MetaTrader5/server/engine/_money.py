"""The engine's one seam to the shared trade math (``MetaTrader5.trademath``, spec 4.9).

The client computes ``account_info``, ``order_calc_*`` and ``order_check`` with the same
functions, so the server's no-money checks, stop-outs and booked profits never disagree with
what the client shows. ``Pricing`` supplies trademath's market context from a ``MarketView``:
a quote lookup, the contract specs, and a ``SymbolIndex`` of conversion symbols.

The index is built lazily from ``MarketView.specs()`` and rebuilt when a symbol the engine
computes with carries a contract the index has not seen (a new symbol, or a changed one).
"""

from __future__ import annotations

from collections.abc import Iterable

from MetaTrader5.server.accounts import Account
from MetaTrader5.server.engine.types import MarketView
from MetaTrader5.server.ledger import Position, lots
from MetaTrader5.server.symbols import SymbolSpec
from MetaTrader5.trademath import (
    ContractSpec,
    SymbolIndex,
    TradeMathError,
    UnknownSymbolError,
    conversion_rate,
    convert,
    profit,
    round_money,
)
from MetaTrader5.trademath import Position as MathPosition

__all__ = ["Pricing", "math_position"]


def math_position(position: Position) -> MathPosition:
    """A ledger position as trademath sees it (volume in lots, money in account currency)."""
    return MathPosition(
        symbol=position.symbol,
        type=position.type,
        volume=lots(position.volume),
        price_open=position.price_open,
        swap=position.swap,
        commission=position.commission,
    )


class Pricing:
    """Quotes, contract specs and the conversion index of one market, for trademath calls."""

    def __init__(self, market: MarketView) -> None:
        self._market = market
        self._index: SymbolIndex | None = None
        self._indexed: dict[str, ContractSpec] = {}

    # -- trademath inputs -------------------------------------------------------------------
    def quotes(self, symbol: str) -> tuple[float, float] | None:
        """trademath ``QuoteLookup``: (bid, ask) of ``symbol``, None without a usable price."""
        quote = self._market.quote(symbol)
        if quote is None or quote[0] <= 0 or quote[1] <= 0:
            return None
        return quote[0], quote[1]

    @property
    def index(self) -> SymbolIndex:
        """The conversion index over every symbol of the market (built on first use)."""
        if self._index is None:
            contracts = [spec.contract for spec in self._market.specs()]
            self._indexed = {contract.name: contract for contract in contracts}
            self._index = SymbolIndex(contracts)
        return self._index

    def contract(self, symbol: str) -> ContractSpec:
        """The contract of ``symbol``; a contract the index has not seen invalidates it.

        Raises:
            UnknownSymbolError: the market does not know ``symbol``.
        """
        spec = self._market.spec(symbol)
        if spec is None:
            raise UnknownSymbolError(symbol)
        contract = spec.contract
        known = self._indexed.get(symbol)
        if known is not contract and known != contract:
            # The set of symbols changed since the index was built: rebuild it once, and
            # remember the contract even if specs() does not list it, so we do not loop.
            self._index = None
            self._indexed = {}
            _ = self.index
            self._indexed[symbol] = contract
        return contract

    def contracts(self, symbols: Iterable[str]) -> dict[str, ContractSpec]:
        """The contracts of ``symbols`` (unknown ones are left out; trademath names them)."""
        found: dict[str, ContractSpec] = {}
        for symbol in symbols:
            try:
                found[symbol] = self.contract(symbol)
            except UnknownSymbolError:
                continue
        return found

    # -- money --------------------------------------------------------------------------------
    def can_book(self, account: Account, spec: SymbolSpec, price: float) -> bool:
        """Whether a deal of ``spec`` at ``price`` can convert its profit into the account
        currency; a deal that could not is not made (the engine never books a guess)."""
        try:
            conversion_rate(spec.contract.currency_profit, account.currency, self.index,
                            self.quotes, symbol_price=(spec.name, price))
        except TradeMathError:
            return False
        return True

    def deal_profit(
        self, account: Account, spec: SymbolSpec, position_type: int, *, volume: float,
        price_open: float, price_close: float,
    ) -> float:
        """Profit of ``volume`` lots closed at ``price_close``, in the account currency, rounded.

        Raises:
            TradeMathError: no conversion into the account currency (see trademath.profit).
        """
        value = profit(
            self.contract(spec.name), position_type, volume, price_open, price_close,
            account.currency, self.index, self.quotes,
        )
        return round_money(value, account.currency_digits)

    def amount(self, value: float, from_ccy: str, account: Account) -> float:
        """``value`` of ``from_ccy`` in the account currency (profit rule), full precision.

        Raises:
            ConversionError: no symbol converts ``from_ccy`` into the account currency.
        """
        return convert(value, from_ccy, account.currency, self.index, self.quotes)
