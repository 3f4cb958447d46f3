"""50 concurrent sessions streaming ticks from one shared pump (bounded: a few seconds)."""

from __future__ import annotations

import asyncio
import struct

from simwire import DEMO_LOGIN, DEMO_PASSWORD, ManualSim, id_list
from websockets.asyncio.client import ClientConnection, connect

from MetaTrader5.protocol import bulk, crypto, frames
from MetaTrader5.protocol.messages.auth import client_id, encode_login_request
from MetaTrader5.protocol.schemas.auth import LoginRequest

SESSIONS = 50
SYMBOLS = ("EURUSD", "GBPUSD", "USDJPY")


async def _session(url: str, symbol_ids: list[int], ready: asyncio.Event,
                   counts: dict[int, set[int]], index: int) -> None:
    async with connect(url, compression=None, max_size=None) as ws:
        key = await _bootstrap(ws)
        await _request(ws, key, 28, encode_login_request(
            LoginRequest(password=DEMO_PASSWORD, cid=client_id(f"load{index}"), login=DEMO_LOGIN)
        ))
        await _request(ws, key, 7, id_list(symbol_ids))
        seen = counts.setdefault(index, set())
        while True:
            frame = frames.decode_server_message(key, await ws.recv(decode=False))
            if frame.command == 8:
                ticks = bulk.decode_ticks(frame.body)
                seen.update(int(t) for t in ticks["time"] * 1000 + ticks["time_ms"])
                ready.set()  # the current quotes arrived: the subscription is live


async def _bootstrap(ws: ClientConnection) -> bytes:
    await ws.send(frames.encode_client_message(crypto.INITIAL_KEY, 0, bytes(64)))
    frame = frames.decode_server_message(crypto.INITIAL_KEY, await ws.recv(decode=False))
    return bytes(frame.body[66:])


async def _request(ws: ClientConnection, key: bytes, command: int, payload: bytes) -> None:
    await ws.send(frames.encode_client_message(key, command, payload))
    while True:
        frame = frames.decode_server_message(key, await ws.recv(decode=False))
        if frame.command == command:
            assert frame.code == 0
            return


def test_fifty_sessions_stream_ticks(manual_sim: ManualSim) -> None:
    catalog = manual_sim.handle.server.context.catalog
    ids = [spec.symbol_id for name in SYMBOLS if (spec := catalog.by_name(name)) is not None]
    stream = manual_sim.handle.server.context.stream
    assert stream is not None

    async def scenario() -> dict[int, set[int]]:
        counts: dict[int, set[int]] = {}
        events = [asyncio.Event() for _ in range(SESSIONS)]
        tasks = [
            asyncio.create_task(_session(manual_sim.url, ids, events[i], counts, i))
            for i in range(SESSIONS)
        ]
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 10)
            before = {i: set(s) for i, s in counts.items()}
            for _ in range(3):
                manual_sim.time.advance(60)
                await asyncio.sleep(0.3)
            for _ in range(30):  # let the last pushes reach every session
                if len({len(counts[i] - before[i]) for i in counts}) == 1:
                    break
                await asyncio.sleep(0.1)
            return {i: counts[i] - before.get(i, set()) for i in counts}
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    fresh = asyncio.run(scenario())
    assert len(fresh) == SESSIONS
    sizes = {len(s) for s in fresh.values()}
    # every session saw the same new ticks: the three minutes of three symbols
    assert len(sizes) == 1 and sizes.pop() > 20
    assert struct.calcsize("<I") == 4
