"""Total margin of an account's open positions: hedging and netting rules (spec 4.9).

Per symbol, with ``B`` the buy volume (weighted average open price ``pb``) and ``S`` the sell
volume (``ps``):

* Netting and exchange accounts (``margin_mode`` 0 or 1): one net position, ``|B - S|`` lots
  on the larger side at that side's average open price.
* Hedging accounts (``margin_mode`` 2), ``margin_hedged_use_leg`` set: only the larger leg,
  ``max(margin(B at pb), margin(S at ps))``.
* Hedging accounts otherwise: the unhedged volume ``|B - S|`` at the larger side's average
  price, plus the hedged volume ``H = min(B, S)``, which is ``2H`` lots (H buys and H sells)
  at the average open price of all hedged volume ``(pb + ps) / 2``, charged with
  SYMBOL_MARGIN_HEDGED instead of the contract terms. MQL5 defines that value as "contract
  size or margin value per one lot of hedged positions": an absolute per-lot margin when
  ``margin_initial`` is set, else the contract size to put into the calc-mode formula. So
  ``margin_hedged == contract_size`` gives no relief and ``margin_hedged == 0`` makes fully
  hedged positions free.

Margin is computed at the positions' open prices (converted with current quotes), so a
position's margin does not move with its own symbol's price in the Forex modes. Pending
orders are not margined here (retail accounts reserve nothing for them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from MetaTrader5.trademath._checks import check_price, check_volume, is_buy
from MetaTrader5.trademath.conversion import QuoteLookup, SymbolIndex
from MetaTrader5.trademath.errors import UnknownSymbolError
from MetaTrader5.trademath.margin import margin
from MetaTrader5.trademath.specs import AccountTerms, ContractSpec, Position

__all__ = ["symbol_margin", "account_margin"]

_BUY, _SELL = 0, 1
_HEDGING = 2
#: Volumes are multiples of 10^-8 lots on the wire (spec 4.1): anything smaller is zero.
_VOLUME_EPSILON = 1e-9


@dataclass(slots=True)
class _Side:
    volume: float = 0.0
    weighted: float = 0.0  # sum of volume * price_open

    def add(self, volume: float, price: float) -> None:
        self.volume += check_volume(volume)
        self.weighted += volume * check_price(price, "price_open")

    @property
    def price(self) -> float:
        return self.weighted / self.volume if self.volume > 0 else 0.0


def _hedged_margin(
    spec: ContractSpec,
    account: AccountTerms,
    hedged: float,
    price: float,
    *,
    index: SymbolIndex,
    quotes: QuoteLookup,
    maintenance: bool,
) -> float:
    value = spec.margin_hedged
    if hedged <= _VOLUME_EPSILON or value == 0.0:
        return 0.0
    if spec.margin_initial or (maintenance and spec.margin_maintenance):
        hedged_spec = replace(spec, margin_initial=value, margin_maintenance=value)
    else:
        hedged_spec = replace(spec, contract_size=value)
    return sum(
        margin(hedged_spec, account, side, hedged, price, index, quotes, maintenance=maintenance)
        for side in (_BUY, _SELL)
    )


def symbol_margin(
    spec: ContractSpec,
    account: AccountTerms,
    positions: Iterable[Position],
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    maintenance: bool = False,
) -> float:
    """Margin of all ``positions`` (all on ``spec``) in the deposit currency, full precision.

    Raises:
        ValueError: a negative volume, a bad position type, or as ``margin``.
        ConversionError, UnsupportedCalcModeError: as ``margin``.
    """
    buys, sells = _Side(), _Side()
    for position in positions:
        (buys if is_buy(position.type) else sells).add(position.volume, position.price_open)

    def side_margin(order_type: int, volume: float, price: float) -> float:
        if volume <= _VOLUME_EPSILON:
            return 0.0
        return margin(
            spec, account, order_type, volume, price, index, quotes, maintenance=maintenance
        )

    if account.margin_mode != _HEDGING:
        net = buys.volume - sells.volume
        if net >= 0:
            return side_margin(_BUY, net, buys.price)
        return side_margin(_SELL, -net, sells.price)
    if spec.margin_hedged_use_leg:
        return max(
            side_margin(_BUY, buys.volume, buys.price),
            side_margin(_SELL, sells.volume, sells.price),
        )
    hedged = min(buys.volume, sells.volume)
    big_type, big = (_BUY, buys) if buys.volume >= sells.volume else (_SELL, sells)
    unhedged = side_margin(big_type, big.volume - hedged, big.price)
    hedged_price = (buys.price + sells.price) / 2.0
    return unhedged + _hedged_margin(
        spec, account, hedged, hedged_price, index=index, quotes=quotes, maintenance=maintenance
    )


def account_margin(
    positions: Iterable[Position],
    specs: Mapping[str, ContractSpec],
    account: AccountTerms,
    index: SymbolIndex,
    quotes: QuoteLookup,
    *,
    maintenance: bool = False,
) -> float:
    """Total margin of the account's open ``positions`` in the deposit currency.

    Raises:
        UnknownSymbolError: a position's symbol is not in ``specs``.
        ValueError, ConversionError, UnsupportedCalcModeError: as ``symbol_margin``.
    """
    by_symbol: dict[str, list[Position]] = defaultdict(list)
    for position in positions:
        by_symbol[position.symbol].append(position)
    total = 0.0
    for symbol, group in by_symbol.items():
        spec = specs.get(symbol)
        if spec is None:
            raise UnknownSymbolError(symbol)
        total += symbol_margin(spec, account, group, index, quotes, maintenance=maintenance)
    return total
