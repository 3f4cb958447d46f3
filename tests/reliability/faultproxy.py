"""A loopback fault-injection proxy between a Web Terminal client and the simulator.

It relays raw TCP: the HTTP upgrade passes through untouched, then every WebSocket frame
(RFC 6455 section 5.2) is parsed, unmasked, and its inner command read with the protocol
core - under the public initial key for the bootstrap, then under the session key the
bootstrap answer carries (spec 1.5). Tests arm :class:`Rule` objects that act on the n-th
message of a direction and command:

* ``delay`` - hold it ``seconds`` before forwarding (later messages queue behind it);
* ``stall`` - forward nothing more in that direction until :meth:`FaultProxy.release`;
* ``drop`` - swallow it (the connection stays up);
* ``truncate`` - forward it with only the first ``keep`` bytes of its payload;
* ``corrupt`` - flip one bit of its payload;
* ``split`` - forward only its first ``keep`` raw bytes (frame header included), then cut;
* ``cut_before`` / ``cut_after`` - abort both sockets (TCP RST) before / after forwarding it.

:meth:`FaultProxy.cut_at_byte` cuts a direction after exactly n more bytes (mid-frame if the
count says so). With ``capture=True`` every decoded message is kept (direction, key, raw
message) so that real frames can be replayed and mutated by the fuzzer.

Use :class:`FaultProxy` inside an event loop (``async with``), or :class:`ProxyThread` to run
one on its own daemon thread for synchronous code (the module API).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from MetaTrader5.protocol import ProtocolError, frames
from MetaTrader5.protocol.crypto import INITIAL_KEY
from MetaTrader5.protocol.messages import decode_bootstrap_response

__all__ = ["ACTIONS", "Captured", "FaultProxy", "ProxyThread", "Rule"]

ACTIONS = ("delay", "stall", "drop", "truncate", "corrupt", "split", "cut_before", "cut_after")
UNKNOWN = -1  # command of a frame that is not one whole decodable message


@dataclass
class Rule:
    """Act on the ``occurrence``-th message of ``direction`` (and ``command``) once armed."""

    action: str
    direction: str  # "c2s" (client to server) or "s2c"
    command: int | None = None  # None matches every message of the direction
    occurrence: int = 1
    seconds: float = 0.0  # delay
    keep: int = 0  # truncate (payload bytes) / split (raw bytes)
    repeat: bool = False  # act on every match from ``occurrence`` on
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS or self.direction not in ("c2s", "s2c"):
            raise ValueError(f"bad rule {self.action!r} {self.direction!r}")


@dataclass(frozen=True)
class Captured:
    """One whole message as it crossed the proxy."""

    direction: str
    key: bytes  # the key it is encrypted with
    message: bytes  # the WebSocket message payload (outer frame + ciphertext)
    command: int


@dataclass
class _Link:
    number: int
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    key: bytes = INITIAL_KEY
    done: asyncio.Event = field(default_factory=asyncio.Event)
    byte_budget: dict[str, int] = field(default_factory=dict)
    #: Set by ``cut_after``: nothing more is forwarded either way until the cut.
    frozen: bool = False

    def abort(self) -> None:
        for writer in (self.client, self.server):
            writer.transport.abort()
        self.done.set()


def _mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return payload
    n = len(payload)
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def _frame(first: int, payload: bytes, mask: bytes | None) -> bytes:
    """Re-serialise a frame with a new payload (RFC 6455 5.2), keeping its first byte."""
    n = len(payload)
    bit = 0x80 if mask is not None else 0
    if n < 126:
        head = struct.pack("!BB", first, bit | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", first, bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, bit | 127, n)
    if mask is None:
        return head + payload
    return head + mask + _mask(payload, mask)


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes | None, bytes]:
    """(first byte, unmasked payload, mask, raw bytes) of the next frame."""
    head = await reader.readexactly(2)
    length = head[1] & 0x7F
    ext = b""
    if length == 126:
        ext = await reader.readexactly(2)
        length = struct.unpack("!H", ext)[0]
    elif length == 127:
        ext = await reader.readexactly(8)
        length = struct.unpack("!Q", ext)[0]
    mask = await reader.readexactly(4) if head[1] & 0x80 else None
    body = await reader.readexactly(length)
    raw = head + ext + (mask or b"") + body
    return head[0], (_mask(body, mask) if mask else body), mask, raw


class FaultProxy:
    """The proxy on the running event loop (see the module docstring)."""

    def __init__(self, upstream: str, *, capture: bool = False) -> None:
        parts = urlsplit(upstream)
        self._up_host = parts.hostname or "127.0.0.1"
        self._up_port = parts.port or 80
        self._path = parts.path or "/terminal"
        self.capture = capture
        self.rules: list[Rule] = []
        self.seen: list[tuple[int, str, int]] = []  # (link number, direction, command)
        self.captured: list[Captured] = []
        self.cuts = 0
        self.links: list[_Link] = []
        self._released = asyncio.Event()
        self._released.set()
        self._server: asyncio.Server | None = None
        self._lock = threading.Lock()  # rules may be armed from another thread

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for link in self.links:
            link.abort()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("not started")
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}{self._path}"

    # --- commands ---------------------------------------------------------------------------

    def arm(self, *rules: Rule) -> None:
        """Add rules; their occurrence counts start now."""
        with self._lock:
            self.rules.extend(rules)

    def retarget(self, upstream: str) -> None:
        """Send new links to another server (e.g. the simulator restarted on a new port)."""
        parts = urlsplit(upstream)
        self._up_host = parts.hostname or "127.0.0.1"
        self._up_port = parts.port or 80

    def disarm(self) -> None:
        with self._lock:
            self.rules.clear()

    def cut_at_byte(self, direction: str, count: int) -> None:
        """Forward exactly ``count`` more bytes of ``direction`` on every live link, then cut."""
        with self._lock:
            for link in self.links:
                if not link.done.is_set():
                    link.byte_budget[direction] = count

    def release(self) -> None:
        """End every stall."""
        self._released.set()

    def cut_all(self) -> None:
        """Abort every live link now."""
        for link in self.links:
            if not link.done.is_set():
                self.cuts += 1
                link.abort()

    def sent(self, direction: str, command: int) -> int:
        """How many messages of ``direction`` and ``command`` crossed (or were acted on)."""
        return sum(1 for _n, d, c in self.seen if d == direction and c == command)

    # --- relaying ---------------------------------------------------------------------------

    async def _accept(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            s_reader, s_writer = await asyncio.open_connection(self._up_host, self._up_port)
        except OSError:
            c_writer.transport.abort()
            return
        link = _Link(len(self.links), c_writer, s_writer)
        self.links.append(link)
        pumps = [asyncio.create_task(self._pump(link, c_reader, s_writer, "c2s")),
                 asyncio.create_task(self._pump(link, s_reader, c_writer, "s2c"))]  # fmt: skip
        await link.done.wait()
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
        for writer in (c_writer, s_writer):
            writer.transport.abort()

    async def _pump(self, link: _Link, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter, direction: str) -> None:  # fmt: skip
        try:
            # RFC 6455 4: the opening handshake is HTTP; relay it as it is.
            handshake = await reader.readuntil(b"\r\n\r\n")
            await self._write(link, writer, direction, handshake)
            while not link.done.is_set():
                first, payload, mask, raw = await _read_frame(reader)
                command = self._command(link, direction, first, payload)
                with self._lock:
                    self.seen.append((link.number, direction, command))
                    rule = self._match(direction, command)
                if rule is not None:
                    raw = await self._apply(rule, link, first, payload, mask, raw)
                if raw and not link.frozen:
                    await self._write(link, writer, direction, raw)
                if rule is not None and rule.action == "cut_after":
                    link.frozen = True
                    await asyncio.sleep(0.02)  # let the frame reach the peer before the RST
                    self._cut(link)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                OSError):  # fmt: skip
            pass
        finally:
            link.done.set()

    def _match(self, direction: str, command: int) -> Rule | None:
        for rule in self.rules:
            if rule.direction != direction or rule.command not in (None, command):
                continue
            rule.matched += 1
            if rule.matched == rule.occurrence or (rule.repeat and rule.matched > rule.occurrence):
                rule.fired += 1
                return rule
        return None

    async def _apply(self, rule: Rule, link: _Link, first: int, payload: bytes,
                     mask: bytes | None, raw: bytes) -> bytes:  # fmt: skip
        """What to forward for a message a rule acts on (b"" = nothing)."""
        action = rule.action
        if action == "delay":
            await asyncio.sleep(rule.seconds)
        elif action == "stall":
            self._released.clear()
            await self._released.wait()
        elif action == "drop":
            return b""
        elif action == "truncate":
            return _frame(first, payload[: rule.keep], mask)
        elif action == "corrupt":
            flipped = bytearray(payload)
            if flipped:
                flipped[len(flipped) // 2] ^= 0x10
            return _frame(first, bytes(flipped), mask)
        elif action == "split":
            link.byte_budget[rule.direction] = rule.keep
        elif action == "cut_before":
            self._cut(link)
            return b""
        return raw

    def _cut(self, link: _Link) -> None:
        if not link.done.is_set():
            self.cuts += 1
            link.abort()

    async def _write(self, link: _Link, writer: asyncio.StreamWriter, direction: str,
                     data: bytes) -> None:  # fmt: skip
        budget = link.byte_budget.get(direction)
        if budget is not None and budget < len(data):
            writer.write(data[:budget])
            await writer.drain()
            await asyncio.sleep(0.02)
            self._cut(link)
            return
        if budget is not None:
            link.byte_budget[direction] = budget - len(data)
        writer.write(data)
        await writer.drain()

    def _command(self, link: _Link, direction: str, first: int, payload: bytes) -> int:
        if first & 0x0F != 0x2 or not first & 0x80:  # not a whole binary message
            return UNKNOWN
        key = link.key
        try:
            if direction == "c2s":
                command = frames.decode_client_message(key, payload).command
            else:
                frame = frames.decode_server_message(key, payload)
                command = frame.command
                if key == INITIAL_KEY and command == 0 and frame.code == 0:
                    link.key = decode_bootstrap_response(frame.body).session_key
        except ProtocolError:
            return UNKNOWN
        if self.capture:
            self.captured.append(Captured(direction, key, payload, command))
        return command


class ProxyThread:
    """A :class:`FaultProxy` on its own daemon thread and loop, for synchronous callers."""

    def __init__(self, upstream: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._options = options
        self._upstream = upstream
        self.proxy: FaultProxy
        self._thread = threading.Thread(target=self._run, name="faultproxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("proxy did not start")
        return self.proxy

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def call(self, function: Any, *args: Any) -> None:
        """Run ``function(*args)`` on the proxy's loop (for cut_all/release from a thread)."""
        self._loop.call_soon_threadsafe(function, *args)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            async with FaultProxy(self._upstream, **self._options) as proxy:
                self.proxy = proxy
                self._ready.set()
                await self._stop.wait()

        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.close()
