"""The engine's one seam to the trade math: margin, profit and conversion in account currency.

Everything money-related the engine computes goes through ``_Math`` so that switching to the
shared ``MetaTrader5.trademath`` functions (spec 4.9) touches only this module. Until those
land, the formulas below cover the calc modes of the simulator's catalogue (spec 4.6).
"""

from __future__ import annotations

from MetaTrader5.server.engine.types import MarketView
from MetaTrader5.server.symbols import SymbolSpec

__all__ = ["MathError", "_Math"]

_FOREX, _FUTURES, _CFD, _CFD_INDEX, _CFD_LEVERAGE, _FOREX_NO_LEVERAGE = 0, 1, 2, 3, 4, 5


class MathError(LookupError):
    """No quote converts a currency into the account currency."""


class _Math:
    """Margin/profit/conversion for one market view; money is rounded by the caller."""

    def __init__(self, market: MarketView) -> None:
        self._market = market

    def _bid_ask(self, symbol: str) -> tuple[float, float] | None:
        quote = self._market.quote(symbol)
        if quote is None or quote[0] <= 0 or quote[1] <= 0:
            return None
        return quote[0], quote[1]

    def _direct(self, src: str, dst: str, gain: bool) -> float | None:
        # Profit converts at bid and loss at ask (spec 4.9; worse side for the account).
        quote = self._bid_ask(src + dst)
        if quote is not None:
            return quote[0] if gain else quote[1]
        quote = self._bid_ask(dst + src)
        if quote is not None:
            return 1.0 / (quote[1] if gain else quote[0])
        return None

    def rate(self, src: str, dst: str, *, gain: bool = True) -> float:
        """Units of ``dst`` per unit of ``src``, directly or through USD (spec 4.9)."""
        if src == dst:
            return 1.0
        direct = self._direct(src, dst, gain)
        if direct is not None:
            return direct
        if "USD" not in (src, dst):
            first = self._direct(src, "USD", gain)
            second = self._direct("USD", dst, gain)
            if first is not None and second is not None:
                return first * second
        raise MathError(f"no quote converts {src} into {dst}")

    def margin(
        self, spec: SymbolSpec, currency: str, leverage: int, order_type: int, *,
        volume: float, price: float,
    ) -> float:
        """Initial margin of ``volume`` lots at ``price`` in ``currency``."""
        c = spec.contract
        rate_idx = order_type if 0 <= order_type < len(c.margin_rates_initial) else 0
        factor = c.margin_rates_initial[rate_idx]
        mode = c.calc_mode
        if c.margin_initial > 0:
            amount, ccy = volume * c.margin_initial, c.currency_margin
        elif mode in (_FOREX, _FOREX_NO_LEVERAGE):
            lev = leverage if mode == _FOREX else 1
            amount, ccy = volume * c.contract_size / lev, c.currency_margin
            if ccy == c.currency_base and c.currency_profit == currency and ccy != currency:
                # The traded symbol itself converts its base at the order price (spec 4.9).
                return volume * c.contract_size * price / lev * factor
        elif mode == _CFD:
            amount, ccy = volume * c.contract_size * price, c.currency_margin
        elif mode == _CFD_INDEX:
            amount = volume * c.contract_size * price * c.tick_value / c.tick_size
            ccy = c.currency_margin
        elif mode == _CFD_LEVERAGE:
            amount, ccy = volume * c.contract_size * price / leverage, c.currency_margin
        else:
            amount, ccy = volume * c.margin_initial, c.currency_margin
        return amount * factor * self.rate(ccy, currency, gain=False)

    def profit(
        self, spec: SymbolSpec, currency: str, position_type: int, *, volume: float,
        price_open: float, price_close: float,
    ) -> float:
        """Profit of ``volume`` lots opened at ``price_open`` and closed at ``price_close``."""
        c = spec.contract
        direction = 1.0 if position_type == 0 else -1.0
        move = (price_close - price_open) * direction
        if c.calc_mode == _FUTURES and c.tick_size > 0:
            return move / c.tick_size * c.tick_value * volume
        raw = move * c.contract_size * volume
        return raw * self.rate(c.currency_profit, currency, gain=raw >= 0)

    def amount(self, value: float, src: str, dst: str) -> float:
        """``value`` in ``src`` expressed in ``dst``."""
        return value * self.rate(src, dst, gain=value >= 0)
