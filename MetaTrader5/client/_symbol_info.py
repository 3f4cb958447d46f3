"""Build the official ``SymbolInfo`` from the list entry, the full symbol and the tick state.

spec 4.8: most fields map by name from the full symbol (with the account overrides, spec
3.3.2); prices come from the tick stream and the session statistics of push 17 (spec 3.5.2:
prices x 10^digits, greeks x 10^5, price_change x 100, volatility x 1000). Fields the Web
Terminal never carries get neutral values, documented here once:

* ``custom`` False, ``bank`` '' and ``formula`` '' (no custom symbols over the Web Terminal);
* ``visible`` equals ``select`` (the Market Watch has no hidden-but-selected state here);
* ``trade_tick_value_profit`` / ``_loss``: ``trade_tick_value`` converted to the deposit
  currency with the profit (bid) and loss (ask) rule of the trade math; without quotes for
  the conversion, the raw value in the profit currency;
* ``chart_mode`` 255 ("default", wire only) is reported as 0 (bid), spec 4.6.
"""

from __future__ import annotations

from MetaTrader5.records import SymbolInfo

from .market import SymbolEntry
from .symbols import EffectiveSymbol

__all__ = ["build_symbol_info"]


def build_symbol_info(
    entry: SymbolEntry,
    symbol: EffectiveSymbol,
    selected: bool,
    tick_values: tuple[float, float, float],
) -> SymbolInfo:
    """One ``SymbolInfo`` (96 fields, official order); ``tick_values`` = (value, profit, loss)
    in the deposit currency."""
    rec, trade = symbol.record, symbol.trade
    digits = rec.digits
    scale = 10.0**digits
    d = entry.details

    def px(value: float) -> float:
        return round(value / scale, digits) if value else 0.0

    bid, ask, last = entry.bid, entry.ask, entry.last
    spread = round((ask - bid) * scale) if bid and ask else 0
    if d is not None:
        stats = (
            d.trade_deals, d.trade_buy_orders, d.trade_sell_orders,
            int(d.vol_high / 1e8), int(d.vol_low / 1e8),
        )
        highs = (px(d.bid_high), px(d.bid_low), px(d.ask_high), px(d.ask_low),
                 px(d.last_high), px(d.last_low))
        vols = (d.vol_high / 1e8, d.vol_low / 1e8)
        session = (
            d.trade_volume / 1e8, float(d.trade_turnover), float(d.trade_interest),
            d.trade_buy_volume / 1e8, d.trade_sell_volume / 1e8,
            px(d.price_open), px(d.price_close), px(d.price_aw),
        )
        changes = (d.price_change / 100.0, d.price_volatility / 1000.0, px(d.price_theoretical))
        greeks = tuple(v / 1e5 for v in (d.greeks_delta, d.greeks_theta, d.greeks_gamma,
                                         d.greeks_vega, d.greeks_rho, d.greeks_omega,
                                         d.sensitivity))  # fmt: skip
    else:
        stats = (0, 0, 0, 0, 0)
        highs = (0.0,) * 6
        vols = (0.0, 0.0)
        session = (0.0,) * 8
        changes = (0.0, 0.0, 0.0)
        greeks = (0.0,) * 7
    tick_value, tick_value_profit, tick_value_loss = tick_values
    values = (
        False,  # custom
        0 if rec.ticks_chart_mode == 255 else rec.ticks_chart_mode,
        selected,
        selected,  # visible
        stats[0], stats[1], stats[2],
        int(entry.volume_real), stats[3], stats[4],
        entry.time_msc // 1000,
        digits,
        spread,
        rec.spread == 0,
        rec.ticks_bookdepth,
        rec.calc_mode,
        trade.trade_mode,
        rec.time_start,
        rec.time_expiration,
        trade.stops_level,
        trade.freeze_level,
        trade.exemode,
        trade.swap_mode,
        trade.swap_rollover3days,
        bool(trade.margin_flags & 4),
        trade.time_flags & 0x0F,
        trade.fill_flags & 0x03,  # spec 4.6: BOC (4) is wire only
        trade.order_flags & 0x7F,
        rec.gtc_mode,
        (rec.option_mode >> 1) & 1,
        rec.option_mode & 1,
        bid, highs[0], highs[1],
        ask, highs[2], highs[3],
        last, highs[4], highs[5],
        entry.volume_real, vols[0], vols[1],
        rec.price_strike,
        rec.point,
        tick_value, tick_value_profit, tick_value_loss,
        rec.tick_size,
        rec.contract_size,
        rec.accrued_interest,
        rec.face_value,
        trade.margin_rate_liquidity,
        trade.volume_min / 1e8, trade.volume_max / 1e8, trade.volume_step / 1e8,
        trade.volume_limit / 1e8,
        trade.swap_long, trade.swap_short,
        trade.margin_initial, trade.margin_maintenance,
        *session[:5],
        session[5], session[6], session[7],
        rec.price_settle, rec.price_limit_min, rec.price_limit_max,
        trade.margin_hedged,
        *changes,
        *greeks,
        rec.basis,
        rec.category,
        rec.currency_base,
        rec.currency_profit,
        rec.currency_margin,
        "",  # bank
        rec.description,
        rec.exchange,
        "",  # formula
        rec.isin,
        rec.trade_symbol,
        rec.page,
        entry.path or symbol.trade.symbol_path,
    )  # fmt: skip
    return SymbolInfo._from_sequence(values)
