"""Account 3 and symbol commands 9, 6, 34, 18 over the wire (spec 3.3, 3.4)."""

from __future__ import annotations

import struct

import pytest
from simwire import NETTING_LOGIN, NETTING_PASSWORD, WireClient, id_list
from websockets.exceptions import ConnectionClosed

from MetaTrader5.protocol.messages.account import decode_account
from MetaTrader5.protocol.messages.symbols import (
    decode_full_symbols,
    decode_symbol_groups,
    decode_symbols,
    decode_symbols_compressed,
    inflate_symbols_compressed,
    schedule_sessions,
)
from MetaTrader5.server import SimulatorHandle


def test_account_block(logged_in: WireClient, sim: SimulatorHandle) -> None:
    info = decode_account(logged_in.request(3).body)
    header = info.header
    assert header.balance == 100_000.0 and header.credit == 0.0
    assert header.currency == "USD" and header.leverage == 100
    assert header.margin_mode == 2  # hedging
    assert header.account_type == 1  # demo
    assert header.rights & 8 == 0  # not investor
    assert header.server_name == sim.server.context.config.name
    assert header.timezone_shift == 7200 and header.daylight_mode in (0, 1)
    assert header.margin_so_so > 0 and header.password_min == 8
    # spec 3.3 quirk: at least one trade-settings entry, mask "*" changing nothing
    assert len(info.trade_settings) == 1 and info.trade_settings[0].symbol_path == "*"
    assert info.trade_settings[0].volume_min == 2**64 - 1
    assert info.symbols_count == len(sim.server.context.catalog)
    assert info.leverage_rules == () and info.commissions == ()


def test_netting_account_block(client: WireClient) -> None:
    assert client.login(NETTING_LOGIN, NETTING_PASSWORD).code == 0
    assert decode_account(client.request(3).body).header.margin_mode == 0


def test_groups_and_symbol_list_agree(logged_in: WireClient, sim: SimulatorHandle) -> None:
    groups = decode_symbol_groups(logged_in.request(9).body)
    symbols = decode_symbols(logged_in.request(6).body)
    catalog = sim.server.context.catalog
    assert len(symbols) == len(catalog) >= 28
    assert "Forex\\Majors" in groups or any(g.startswith("Forex") for g in groups)
    assert {s.path.rsplit("\\", 1)[0] for s in symbols} == set(groups)
    assert len({s.symbol_id for s in symbols}) == len(symbols)
    eurusd = next(s for s in symbols if s.trade_symbol == "EURUSD")
    assert eurusd.digits == 5 and eurusd.path.endswith("\\EURUSD")
    assert eurusd.trade_calc_mode == 0  # forex


def test_compressed_list_is_zlib_of_the_plain_list(logged_in: WireClient) -> None:
    plain = bytes(logged_in.request(6).body)
    body = logged_in.request(34).body
    assert inflate_symbols_compressed(body) == plain
    assert struct.unpack_from("<I", body)[0] == len(plain)
    assert decode_symbols_compressed(body) == decode_symbols(plain)


def test_full_symbols_by_id(logged_in: WireClient, sim: SimulatorHandle) -> None:
    catalog = sim.server.context.catalog
    eurusd, xauusd = catalog.by_name("EURUSD"), catalog.by_name("XAUUSD")
    assert eurusd is not None and xauusd is not None
    body = logged_in.request(18, id_list([xauusd.symbol_id, 999_999, eurusd.symbol_id])).body
    records = decode_full_symbols(body)
    assert [r.trade_symbol for r in records] == ["XAUUSD", "EURUSD"]
    eur = records[1]
    assert eur.symbol_id == eurusd.symbol_id and eur.digits == 5
    assert eur.point == pytest.approx(1e-5) and eur.contract_size == 100_000
    assert eur.currency_base == "EUR" and eur.currency_profit == "USD"
    assert eur.trade.symbol_path == eurusd.path
    assert eur.trade.volume_min == 1_000_000  # 0.01 lot in 10^-8 lots
    assert eur.trade.fill_flags == eurusd.fill_flags
    assert eur.trade.exemode == eurusd.exemode
    quote, trade = schedule_sessions(eur.schedule)
    assert quote[3][0] == (0, 1440) and trade[3][0] == (0, 1440)  # open around the clock
    assert decode_full_symbols(logged_in.request(18, id_list([])).body) == ()


def test_full_symbols_with_a_lying_count_closes_the_session(logged_in: WireClient) -> None:
    logged_in.send(18, struct.pack("<II", 1000, 1))
    with pytest.raises(ConnectionClosed):
        logged_in.drain(0.3)
        logged_in.request(51, timeout=2)
