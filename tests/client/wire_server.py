"""A small test-only Web Terminal server: the real protocol core frames over a real socket.

Not a mock of our client: it speaks the wire format through ``MetaTrader5.protocol.frames``
and ``crypto`` on ``websockets.serve`` bound to 127.0.0.1 port 0. Tests script its answers:
``handlers[command] = fn(payload) -> (code, body) | None`` (None = never answer), optionally
async; ``push()`` sends a push to every live connection; ``drop()`` cuts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from MetaTrader5.protocol import frames
from MetaTrader5.protocol.crypto import INITIAL_KEY

Reply = tuple[int, bytes] | None
Handler = Callable[[bytes], Any]


class WireServer:
    def __init__(self, key_length: int = 16) -> None:
        self.handlers: dict[int, Handler] = {51: lambda p: (0, b"")}
        self.key_length = key_length
        self.connections: list[tuple[ServerConnection, bytes]] = []
        self.received: list[tuple[int, bytes]] = []
        self.tokens: list[bytes] = []
        self.origins: list[str | None] = []
        self.bootstrap_code = 0
        self._server: Server | None = None

    async def __aenter__(self) -> WireServer:
        self._server = await serve(self._handle, "127.0.0.1", 0, ping_interval=None)
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

    async def _handle(self, ws: ServerConnection) -> None:
        self.origins.append(ws.request.headers.get("Origin") if ws.request else None)
        try:
            first = await ws.recv(decode=False)
            frame = frames.decode_client_message(INITIAL_KEY, first)
            self.tokens.append(bytes(frame.payload))
            key = os.urandom(self.key_length)
            body = b"\x01\x02" + os.urandom(64) + key
            await ws.send(
                frames.encode_server_message(INITIAL_KEY, 0, self.bootstrap_code, body)
            )
            if self.bootstrap_code:
                return
            entry = (ws, key)
            self.connections.append(entry)
            async for message in ws:
                assert isinstance(message, bytes)
                req = frames.decode_client_message(key, message)
                payload = bytes(req.payload)
                self.received.append((req.command, payload))
                handler = self.handlers.get(req.command)
                if handler is None:
                    continue
                reply = handler(payload)
                if inspect.isawaitable(reply):
                    reply = await reply
                if reply is not None:
                    code, out = reply
                    await ws.send(frames.encode_server_message(key, req.command, code, out))
        except Exception:  # connection torn down by the test
            pass
        finally:
            self.connections = [c for c in self.connections if c[0] is not ws]

    def loop_call(self, make: Any) -> None:
        """Schedule ``make()`` (a coroutine factory) to run after the current reply."""
        loop = asyncio.get_running_loop()
        loop.call_soon(lambda: loop.create_task(make()))

    async def push(self, command: int, body: bytes, code: int = 0) -> None:
        for ws, key in list(self.connections):
            with contextlib.suppress(Exception):
                await ws.send(frames.encode_server_message(key, command, code, body))

    async def drop(self) -> None:
        """Cut every connection abruptly (no close handshake from the server side)."""
        for ws, _key in list(self.connections):
            ws.transport.abort()

    async def close_all(self, code: int = 1001) -> None:
        for ws, _key in list(self.connections):
            with contextlib.suppress(Exception):
                await ws.close(code)
