"""State file: exact round trip, atomic write, corrupt file named in the error."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_engine_fixtures import Rig

from MetaTrader5.server.engine import TradeRequest, TradingEngine, request_fingerprint
from MetaTrader5.server.state import StateError, dump_state, load_state, save_state


def test_round_trip(tmp_path: Path) -> None:
    rig = Rig()
    rig.buy(0.5)
    rig.send(trade_action=5, symbol="EURUSD", volume=0.1, type=2, price=1.09000)
    request = TradeRequest(request_id=5, trade_action=3, symbol="EURUSD", volume=0.1, type=1)
    first, _ = rig.engine.execute(rig.LOGIN, request, fingerprint=request_fingerprint(request))
    path = tmp_path / "state.json"
    save_state(rig.engine, path)
    assert path.stat().st_mode & 0o077 == 0
    restored = TradingEngine(rig.market)
    load_state(restored, path)
    assert dump_state(restored) == dump_state(rig.engine)
    again, events = restored.execute(rig.LOGIN, request, fingerprint=request_fingerprint(request))
    assert again == first and events == []
    nxt = restored.execute(rig.LOGIN, TradeRequest(request_id=6, trade_action=3, symbol="EURUSD",
                                                   volume=0.1, type=0), fingerprint=b"x")[0]
    assert nxt.order == rig.engine.tickets.next_order
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_corrupt_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "mt5web-state", "version": 1, "accounts": [')
    with pytest.raises(StateError, match=r"broken\.json"):
        load_state(TradingEngine(Rig().market), path)
    path.write_text('{"format": "other"}')
    with pytest.raises(StateError, match=r"broken\.json"):
        load_state(TradingEngine(Rig().market), path)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_state(TradingEngine(Rig().market), tmp_path / "absent.json")
