"""A man-in-the-middle WebSocket proxy for fault injection between the client and the
simulator (loopback, port 0).

It reads the session key from the bootstrap answer (which travels under the public initial
key, spec 1.5), so it can decode every frame with the protocol core and decide, per message,
to pass it, swallow it, or cut both connections before or after forwarding it. It never
alters a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve

from MetaTrader5.protocol import frames
from MetaTrader5.protocol.assumptions import MAX_MESSAGE_SIZE
from MetaTrader5.protocol.crypto import INITIAL_KEY

#: (direction "c2s"/"s2c", command) -> "pass" | "swallow" | "cut_before" | "cut_after"
Plan = Callable[[str, int], str]


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.plan: Plan = lambda direction, command: "pass"
        self.seen: list[tuple[str, int]] = []
        self.cuts = 0
        self._server: Server | None = None

    async def __aenter__(self) -> FaultProxy:
        self._server = await serve(self._handle, "127.0.0.1", 0, ping_interval=None,
                                   max_size=MAX_MESSAGE_SIZE, compression=None)  # fmt: skip
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("not started")
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/terminal"

    async def _handle(self, downstream: ServerConnection) -> None:
        key: list[bytes] = []
        async with connect(self.upstream, ping_interval=None, max_size=MAX_MESSAGE_SIZE,
                           compression=None) as upstream:  # fmt: skip
            done = asyncio.Event()

            def cut() -> None:
                self.cuts += 1
                downstream.transport.abort()
                upstream.transport.abort()
                done.set()

            async def pump(src: ServerConnection | ClientConnection,
                           dst: ServerConnection | ClientConnection, direction: str) -> None:
                with contextlib.suppress(Exception):
                    async for message in src:
                        assert isinstance(message, bytes)
                        command = self._command(direction, message, key)
                        self.seen.append((direction, command))
                        action = self.plan(direction, command)
                        if action == "cut_before":
                            cut()
                            return
                        if action != "swallow":
                            await dst.send(message)
                        if action == "cut_after":
                            await asyncio.sleep(0.01)  # let the frame leave first
                            cut()
                            return
                done.set()

            tasks = [asyncio.create_task(pump(downstream, upstream, "c2s")),
                     asyncio.create_task(pump(upstream, downstream, "s2c"))]  # fmt: skip
            await done.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    def _command(direction: str, message: bytes, key: list[bytes]) -> int:
        if not key:
            if direction == "c2s":
                return frames.decode_client_message(INITIAL_KEY, message).command
            frame = frames.decode_server_message(INITIAL_KEY, message)
            key.append(bytes(frame.body[66:]))  # spec 1.5: the session key follows byte 66
            return frame.command
        if direction == "c2s":
            return frames.decode_client_message(key[0], message).command
        return frames.decode_server_message(key[0], message).command
