"""The raw loopback floor of ``scripts/bench.py``: a minimal websockets server and client.

The server runs on its own thread and event loop (as the embedded simulator does) and answers
every binary message with a list of binary frames whose sizes the request names: the request
is ``u32 count`` then ``count`` x ``u32 size``, padded with zeros to whatever size the caller
wants to send. Same library, same options (no compression, no WebSocket pings, same max
size), same topology (server thread + client loop in one process), the same fragmenting of large
messages when asked, no protocol work: what a request/response costs the WebSocket stack
alone.
"""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from MetaTrader5.protocol.assumptions import MAX_MESSAGE_SIZE

__all__ = ["EchoServer", "echo_round_trips", "make_request"]

_U32 = struct.Struct("<I")


def make_request(reply_sizes: list[int], request_size: int) -> bytes:
    """A request of ``request_size`` bytes asking for frames of ``reply_sizes``."""
    head = _U32.pack(len(reply_sizes)) + b"".join(_U32.pack(s) for s in reply_sizes)
    return head + bytes(max(0, request_size - len(head)))


class EchoServer:
    """A websockets server on a daemon thread answering with frames of requested sizes."""

    def __init__(self, fragment: int = 0) -> None:
        #: Replies longer than this leave as fragments of this size (0: one frame each).
        self._fragment = fragment
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self._run, name="bench-echo", daemon=True)
        self.url = ""
        self._cache: dict[int, bytes] = {}

    def __enter__(self) -> EchoServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)

    def _payload(self, size: int) -> bytes:
        data = self._cache.get(size)
        if data is None:
            data = self._cache[size] = bytes(size)
        return data

    async def _handle(self, ws: ServerConnection) -> None:
        async for message in ws:
            if isinstance(message, str):
                continue
            (count,) = _U32.unpack_from(message, 0)
            for i in range(count):
                (size,) = _U32.unpack_from(message, 4 + 4 * i)
                payload, step = self._payload(size), self._fragment
                if 0 < step < size:
                    view = memoryview(payload)
                    await ws.send([view[at : at + step] for at in range(0, size, step)])
                else:
                    await ws.send(payload)

    async def _main(self) -> None:
        self._stop = self._loop.create_future()
        async with serve(self._handle, "127.0.0.1", 0, compression=None, ping_interval=None,
                         max_size=MAX_MESSAGE_SIZE, max_queue=64) as server:  # fmt: skip
            port = server.sockets[0].getsockname()[1]
            self.url = f"ws://127.0.0.1:{port}/"
            self._ready.set()
            await self._stop

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()


async def _round_trips(url: str, request: bytes, replies: int, n: int) -> list[float]:
    times: list[float] = []
    async with connect(url, compression=None, ping_interval=None,
                       max_size=MAX_MESSAGE_SIZE) as ws:  # fmt: skip
        for _ in range(n + 1):
            start = time.perf_counter()
            await ws.send(request)
            for _ in range(replies):
                await ws.recv(decode=False)
            times.append(time.perf_counter() - start)
    return times[1:]  # the first one warms up buffers


def echo_round_trips(
    url: str, request_size: int, reply_sizes: list[int], n: int, loop: Any = None
) -> list[float]:
    """``n`` timed round trips: one request frame out, frames of ``reply_sizes`` back.

    Runs on ``loop`` (another thread's loop, e.g. the module's bridge) when given, else on a
    fresh loop in this thread.
    """
    coro = _round_trips(url, make_request(reply_sizes, request_size), len(reply_sizes), n)
    if loop is None:
        return asyncio.run(coro)
    return asyncio.run_coroutine_threadsafe(coro, loop).result(600)
