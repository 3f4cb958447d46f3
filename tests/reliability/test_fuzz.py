"""The short CI version of scripts/fuzz.py (the long run is reported in docs/reliability.rst).

Real frames of a captured session, mutated, through every decoder table and both connection
state machines, plus hypothesis-generated bodies; then a live simulator attacked by garbage
while a control session keeps trading. Only ``ProtocolError`` may escape a decoder.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from MetaTrader5.protocol import ProtocolError
from MetaTrader5.protocol.messages import PUSH_DECODERS, REQUEST_DECODERS, RESPONSE_DECODERS

from ._scripts import load_script

fuzz = load_script("fuzz")

ALL_DECODERS = [
    pytest.param(decoder, id=f"{name}-{command}")
    for name, table in (
        ("request", REQUEST_DECODERS),
        ("response", RESPONSE_DECODERS),
        ("push", PUSH_DECODERS),
    )
    for command, decoder in table.items()
]


@pytest.fixture(scope="module")
def corpus() -> Any:
    return asyncio.run(asyncio.wait_for(fuzz.capture(), 30))


def test_capture_holds_every_stage_of_a_session(corpus: Any) -> None:
    kinds = {(b.direction, b.command) for b in corpus.bodies}
    # bootstrap, login, account, symbols, ticks, trade request/answer, pushes 10 and 19
    assert {("c2s", 0), ("c2s", 28), ("s2c", 3), ("c2s", 12), ("s2c", 10), ("s2c", 19),
            ("s2c", 8)} <= kinds  # fmt: skip
    assert corpus.login_payload and corpus.client_key


def test_mutated_real_frames_only_raise_protocol_error(corpus: Any) -> None:
    report = fuzz.fuzz_decoders(corpus, 5000, seed=12345, hypothesis_share=0.0)
    assert report.frames >= 5000
    assert report.escapes == 0, report.samples
    assert sum(report.rejected.values()) > 0  # the mutations do reach the error paths
    assert any(t.startswith("ServerConnection") for t in report.by_target)
    assert any(t.startswith("ClientConnection") for t in report.by_target)


@pytest.mark.parametrize("decoder", ALL_DECODERS)
@settings(max_examples=60, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.binary(max_size=1500))
def test_generated_bodies_only_raise_protocol_error(decoder: Any, data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decoder(data)


def test_live_server_keeps_serving_under_garbage(corpus: Any) -> None:
    live = asyncio.run(asyncio.wait_for(fuzz.fuzz_live(corpus, 600, attackers=4), 60))
    assert live["frames"] >= 600
    assert live["control_state"] == "ready"
    assert live["control_trades"] >= 1
    assert live["server_sessions"] == 1  # every attacker session was cleaned up
