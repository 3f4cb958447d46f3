"""Random sequences of requests and quotes keep the ledger and the money consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_fixtures import Rig

from MetaTrader5 import constants as c

step = st.one_of(
    st.tuples(st.just("deal"), st.sampled_from([0, 1]), st.integers(1, 50)),
    st.tuples(st.just("pending"), st.sampled_from([2, 3, 4, 5]), st.integers(1, 50)),
    st.tuples(st.just("close"), st.integers(0, 9), st.integers(1, 50)),
    st.tuples(st.just("tick"), st.integers(-60, 60), st.integers(0, 3)),
    st.tuples(st.just("closeby"), st.integers(0, 9), st.integers(0, 9)),
)


def _check(rig: Rig) -> None:
    ledger, account = rig.ledger, rig.account
    deals = ledger.all_deals()
    total = sum(d.profit + d.commission + d.swap + d.fee for d in deals if d.type != 3)
    assert abs(total - account.balance) < 1e-6 * max(1.0, abs(account.balance))
    tickets = {o.ticket for o in ledger.all_history_orders()}
    for position in ledger.positions.values():
        assert position.volume > 0 and position.ticket in tickets
    if not account.hedging:
        assert len({p.symbol for p in ledger.positions.values()}) == len(ledger.positions)
    state = rig.engine.state(rig.LOGIN)
    assert abs(state.margin_free - (state.equity - state.margin)) < 0.011
    for deal in deals:
        if deal.symbol:
            assert deal.order in tickets and deal.position_id in tickets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(["hedging", "netting"]), steps=st.lists(step, max_size=25))
def test_random_sequences_keep_invariants(mode: str, steps: list[tuple[str, int, int]]) -> None:
    rig = Rig(mode, balance=20000.0)
    rig.market.patch("EURUSD", commission_per_lot=2.0, swap_long=-3.0, swap_short=1.0)
    mid = 1.10000
    for kind, a, b in steps:
        positions = sorted(rig.ledger.positions)
        if kind == "deal":
            rig.send(trade_action=3, symbol="EURUSD", volume=b / 100, type=a)
        elif kind == "pending":
            offset = 0.00050 if a in (3, 4) else -0.00050
            rig.send(trade_action=5, symbol="EURUSD", volume=b / 100, type=a,
                     price=round(mid + offset, 5))
        elif kind == "close" and positions:
            pos = rig.ledger.positions[positions[a % len(positions)]]
            rig.send(trade_action=3, symbol="EURUSD", volume=min(b, pos.volume // 10**6) / 100,
                     type=1 - pos.type, position=pos.ticket)
        elif kind == "closeby" and len(positions) > 1:
            rig.send(trade_action=10, symbol="EURUSD", position=positions[a % len(positions)],
                     position_by=positions[b % len(positions)])
        elif kind == "tick":
            mid = round(mid + a * 0.0001, 5)
            rig.tick(mid, round(mid + 0.00002, 5))
            if b == 0:
                rig.engine.rollover(rig.market.now)
        _check(rig)
    assert all(o.state == c.ORDER_STATE_PLACED for o in rig.ledger.orders.values())
