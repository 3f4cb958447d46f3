"""The simulator's connection class hands a batch of frames to the transport in one call,
and the peer still receives every message, in order; a single frame and the closing
handshake take the library's own path."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from MetaTrader5.server._websocket import BatchingConnection


def test_a_batch_leaves_in_one_transport_call() -> None:
    calls: list[tuple[str, int]] = []

    async def handler(ws: ServerConnection) -> None:
        transport: Any = ws.transport
        write, writelines = transport.write, transport.writelines

        def spy_write(data: bytes) -> None:
            calls.append(("write", 1))
            write(data)

        def spy_writelines(chunks: list[bytes]) -> None:
            calls.append(("writelines", len(chunks)))
            writelines(chunks)

        transport.write, transport.writelines = spy_write, spy_writelines
        await ws.recv()
        async with ws.send_context():
            for i in range(3):
                ws.protocol.send_binary(bytes([i]) * (100 + i))
        await ws.send(b"single")
        await ws.wait_closed()

    async def run() -> list[bytes]:
        async with serve(handler, "127.0.0.1", 0, create_connection=BatchingConnection) as server:
            port = server.sockets[0].getsockname()[1]
            async with connect(f"ws://127.0.0.1:{port}") as client:
                await client.send(b"go")
                got = []
                for _ in range(4):
                    message = await asyncio.wait_for(client.recv(decode=False), 5)
                    got.append(message)
                return got

    got = asyncio.run(run())
    assert got == [bytes([0]) * 100, bytes([1]) * 101, bytes([2]) * 102, b"single"]
    assert calls[:2] == [("writelines", 3), ("write", 1)]
