"""Money conversion between currencies through the quotes of other symbols (spec 4.9).

The Web Terminal converts a symbol's profit (and margin) currency into the deposit currency
with the quotes of a symbol that trades one currency against the other, and falls back to two
USD crosses (A -> USD -> B) when no direct pair exists (spec 4.9, "USD cross fallback").

Which side of a conversion quote is used (our documented choice):

* Profit (``order_type`` not given): the side that is worse for the account, as a broker
  exchanging the money would apply it. A gain of currency A converted through A/B uses the
  **bid** of A/B (through B/A: divided by the **ask**); a loss uses the **ask** of A/B
  (through B/A: divided by the **bid**). MT5 documents "profit converted at bid, loss at ask"
  for a direct pair; the inverse-pair sides follow from the same rule. Consequence: a gain
  converted A -> B -> A never comes back larger than it left.
* Margin (``order_type`` given): the conversion symbol's **ask** for buy orders, its **bid**
  for sell orders, on every leg.

A leg on the traded symbol itself can be priced at a caller-given price (``symbol_price``),
which is how ``order_calc_margin`` for EURUSD at 1.1 converts 1000 EUR into exactly 1100 USD.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from MetaTrader5.trademath._checks import is_buy
from MetaTrader5.trademath.errors import ConversionError
from MetaTrader5.trademath.specs import ContractSpec

__all__ = [
    "USD",
    "QuoteLookup",
    "ConversionLeg",
    "SymbolIndex",
    "conversion_rate",
    "convert",
]

#: Symbol name -> (bid, ask), or None when the symbol is unknown or has no quote yet.
QuoteLookup = Callable[[str], tuple[float, float] | None]

#: The cross currency of the fallback path (spec 4.9).
USD = "USD"

#: Forex calc modes (spec 4.6) are preferred as conversion symbols over CFDs on the same pair.
_FOREX_MODES = frozenset({0, 5})


def _norm(ccy: str) -> str:
    return ccy.strip().upper()


@dataclass(frozen=True, slots=True)
class ConversionLeg:
    """One step of a conversion: multiply by ``symbol``'s price, or divide when ``inverse``.

    ``inverse`` is False when ``symbol`` quotes ``from_ccy`` in ``to_ccy`` (base == from_ccy).
    """

    symbol: str
    inverse: bool
    from_ccy: str
    to_ccy: str


class SymbolIndex:
    """Finds the symbols that convert one currency into another; caches each (from, to) path.

    Built once from the contract specs of every symbol the account can see. Among several
    symbols on the same pair (e.g. ``EURUSD`` and ``EURUSD.m``) a Forex-mode symbol wins,
    then the first one given.
    """

    __slots__ = ("_pairs", "_paths")

    def __init__(self, specs: Iterable[ContractSpec]) -> None:
        ranked: dict[tuple[str, str], tuple[int, int, str]] = {}
        for order, spec in enumerate(specs):
            base, quote = _norm(spec.currency_base), _norm(spec.currency_profit)
            if not base or not quote or base == quote:
                continue  # stock CFDs quoted in their own currency convert nothing
            rank = (0 if spec.calc_mode in _FOREX_MODES else 1, order, spec.name)
            current = ranked.get((base, quote))
            if current is None or rank < current:
                ranked[(base, quote)] = rank
        self._pairs: dict[tuple[str, str], str] = {k: v[2] for k, v in ranked.items()}
        self._paths: dict[tuple[str, str], tuple[ConversionLeg, ...] | None] = {}

    def pair_symbol(self, base: str, quote: str) -> str | None:
        """The symbol whose base currency is ``base`` and profit currency ``quote``, if any."""
        return self._pairs.get((_norm(base), _norm(quote)))

    def _leg(self, from_ccy: str, to_ccy: str) -> ConversionLeg | None:
        direct = self._pairs.get((from_ccy, to_ccy))
        if direct is not None:
            return ConversionLeg(direct, False, from_ccy, to_ccy)
        inverse = self._pairs.get((to_ccy, from_ccy))
        if inverse is not None:
            return ConversionLeg(inverse, True, from_ccy, to_ccy)
        return None

    def _find(self, from_ccy: str, to_ccy: str) -> tuple[ConversionLeg, ...] | None:
        if from_ccy == to_ccy:
            return ()
        leg = self._leg(from_ccy, to_ccy)
        if leg is not None:
            return (leg,)
        if USD in (from_ccy, to_ccy):
            return None
        first, second = self._leg(from_ccy, USD), self._leg(USD, to_ccy)
        if first is None or second is None:
            return None
        return (first, second)

    def path(self, from_ccy: str, to_ccy: str) -> tuple[ConversionLeg, ...]:
        """The legs converting ``from_ccy`` into ``to_ccy`` (empty when they are equal).

        Raises:
            ConversionError: neither a direct pair nor a USD cross exists.
        """
        key = (_norm(from_ccy), _norm(to_ccy))
        if key not in self._paths:
            self._paths[key] = self._find(*key)
        legs = self._paths[key]
        if legs is None:
            raise ConversionError(key[0], key[1], "no direct pair and no USD cross")
        return legs


def _leg_rate(
    leg: ConversionLeg,
    quotes: QuoteLookup,
    gain: bool,
    order_type: int | None,
    symbol_price: tuple[str, float] | None,
) -> float:
    if symbol_price is not None and symbol_price[0] == leg.symbol:
        bid = ask = symbol_price[1]
    else:
        quote = quotes(leg.symbol)
        if quote is None:
            raise ConversionError(leg.from_ccy, leg.to_ccy, f"no quote for {leg.symbol}")
        bid, ask = quote
    if order_type is not None:
        price = ask if is_buy(order_type) else bid
    elif leg.inverse:
        price = ask if gain else bid  # dividing: the larger price makes a gain smaller
    else:
        price = bid if gain else ask
    if not (math.isfinite(price) and price > 0):
        raise ConversionError(leg.from_ccy, leg.to_ccy, f"{leg.symbol} price {price!r} unusable")
    return 1.0 / price if leg.inverse else price


def conversion_rate(
    from_ccy: str,
    to_ccy: str,
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    for_profit_sign: float | None = None,
    order_type: int | None = None,
    symbol_price: tuple[str, float] | None = None,
) -> float:
    """The factor turning an amount of ``from_ccy`` into ``to_ccy``.

    Args:
        for_profit_sign: sign of the amount the rate will convert (profit rule); None or
            >= 0 means a gain, < 0 a loss. Ignored when ``order_type`` is given.
        order_type: ORDER_TYPE_* of the order whose margin is converted (margin rule).
        symbol_price: ``(symbol, price)`` to use for that symbol instead of its quote.

    Raises:
        ConversionError: no path, or a leg symbol has no usable quote.
    """
    gain = for_profit_sign is None or for_profit_sign >= 0
    rate = 1.0
    for leg in index.path(from_ccy, to_ccy):
        rate *= _leg_rate(leg, quotes, gain, order_type, symbol_price)
    return rate


def convert(
    amount: float,
    from_ccy: str,
    to_ccy: str,
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    for_profit_sign: float | None = None,
    order_type: int | None = None,
    symbol_price: tuple[str, float] | None = None,
) -> float:
    """Convert ``amount`` of ``from_ccy`` into ``to_ccy`` (full precision, no rounding).

    Without ``order_type`` the profit rule applies, with the sign taken from
    ``for_profit_sign`` or else from ``amount`` itself. See ``conversion_rate``.

    Raises:
        ConversionError: no path, or a leg symbol has no usable quote.
    """
    sign = amount if for_profit_sign is None else for_profit_sign
    rate = conversion_rate(
        from_ccy,
        to_ccy,
        index,
        quotes,
        for_profit_sign=sign,
        order_type=order_type,
        symbol_price=symbol_price,
    )
    return amount * rate
